// Every setting in one table: flag, environment variable, default, validation and help text.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SITES, TOOLSETS, type Site } from '../tools/define.js';
import { parseRoomPattern } from './guardrails/room-pattern.js';

export const CLOUD_DOMAINS = ['trtc.intl.tencentcloudapi.com', 'trtc.tencentcloudapi.com'] as const;
type CloudDomain = (typeof CLOUD_DOMAINS)[number];
/** Each site's Cloud API domain. */
export const SITE_DOMAINS: Record<Site, CloudDomain> = { intl: CLOUD_DOMAINS[0], cn: CLOUD_DOMAINS[1] };
const siteOfDomain = (domain: CloudDomain): Site => (domain === SITE_DOMAINS.cn ? 'cn' : 'intl');

/** Hosts of the IM-style REST APIs, by the data center an app was created in. */
export const REST_HOSTS = {
  china: 'console.tim.qq.com',
  singapore: 'adminapisgp.im.qcloud.com',
  usa: 'adminapiusa.im.qcloud.com',
  germany: 'adminapiger.im.qcloud.com',
  korea: 'adminapikr.im.qcloud.com',
  india: 'adminapiind.im.qcloud.com',
  indonesia: 'adminapiidn.im.qcloud.com',
} as const;
export type RestRegion = keyof typeof REST_HOSTS;

const BOOLEAN_WORDS = ['1', '0', 'true', 'false', 'yes', 'no'] as const;
const bool = z
  .union([z.boolean(), z.enum([...BOOLEAN_WORDS, ''])], { error: `must be one of ${BOOLEAN_WORDS.join(', ')}` })
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const list = z.string().transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean));
/** A list with a default of its own, which the word "none" empties (an empty value means the default, as everywhere). */
const emptiable = list.transform((v) => (v.length === 1 && v[0] === 'none' ? [] : v));
const int = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const authTokenSchema = z.string().min(16, 'must have at least 16 characters');

const CHARACTER_NAMES: Record<string, string> = { ' ': 'a space', '\n': 'a line break', '\r': 'a carriage return', '\t': 'a tab' };
/**
 * Why a SecretId or SecretKey cannot be one, or undefined: Tencent's keys are letters and digits, so whitespace or a
 * control character is a pasting mistake (often the next line, the key itself), and is named without the value.
 */
export function credentialProblem(value: string): string | undefined {
  const at = value.search(/[\s\u0000-\u001f\u007f-\u009f]/);
  if (at < 0) return undefined;
  const c = value[at]!;
  const name = CHARACTER_NAMES[c] ?? `the character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `must not contain whitespace or control characters: it has ${name} at character ${at + 1}`;
}
const credential = z.string().min(1).superRefine((v, ctx) => {
  const problem = credentialProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'must be HOST:PORT');
/** The shortest callback key accepted: it is the callbacks' only authentication. */
export const MIN_CALLBACK_KEY = 16;
const absoluteUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

/** Signature algorithms an access token may use: asymmetric only, so that no public key can serve as an HMAC secret. */
export const TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/**
 * An origin as browsers send it, normalised: scheme://host[:port], lower case, default port left out. Undefined for
 * anything else (a path, credentials, "null").
 */
export function normalizeOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!url.host || url.username || url.password || url.search || url.hash || (url.pathname !== '' && url.pathname !== '/')) return undefined;
  return `${url.protocol}//${url.host}`;
}

const origin = z.string().transform((v, ctx) => {
  const normal = normalizeOrigin(v);
  if (!normal) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not an origin like https://app.example.com or http://localhost:5173` });
  return normal ?? z.NEVER;
});

/** One --allow-rooms pattern, checked here so that a pattern that could mean either kind of room stops the start. */
const roomPattern = z.string().superRefine((v, ctx) => {
  const parsed = parseRoomPattern(v);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/**
 * The quality reads listed by default beside the room and AI toolsets: with them an agent finds who is in a room
 * and who is suffering, and confirms a removal, without discovery (docs/architecture.md, "The default tool list").
 */
export const DEFAULT_TOOLS = ['DescribeRoomInfo', 'DescribeUserInfo', 'DescribeUnusualEvent'] as const;

interface Setting {
  flag?: string;
  env?: readonly string[];
  schema: z.ZodType;
  default?: unknown;
  /** A secret's value is never echoed; secrets have no flag (command lines are visible to every local user) unless the interface demands one. */
  secret?: boolean;
  help: string;
  /** The default in words, where it is worked out at run time rather than a value. */
  shownDefault?: string;
  /** Not secret, but never echoed either (a SecretId: what follows a stray line break may be the key). */
  quiet?: boolean;
}

/** Settings of the MCP server. Keys are the property names in Config. */
const SETTINGS = {
  transport: { flag: 'transport', env: ['TRTC_MCP_TRANSPORT'], schema: z.enum(['stdio', 'http']), default: 'stdio', help: 'How MCP clients connect: stdio, or http (Streamable HTTP at /mcp, legacy SSE at /sse)' },
  host: { flag: 'host', env: ['TRTC_MCP_HOST'], schema: z.string().min(1), default: '127.0.0.1', help: 'Address the HTTP transport binds to' },
  port: { flag: 'port', env: ['TRTC_MCP_PORT'], schema: int(0, 65535), default: 3000, help: 'Port of the HTTP transport (0 picks a free one)' },
  region: { flag: 'region', env: ['TENCENTCLOUD_REGION'], schema: z.string().regex(/^[a-z]+-[a-z]+(-\d+)?$/, 'must look like ap-singapore'), default: 'ap-singapore', help: 'Tencent Cloud region sent with every Cloud API call' },
  site: { flag: 'site', env: ['TRTC_SITE'], schema: z.enum(SITES), help: 'Tencent Cloud site: intl or cn. Actions documented for one site only are offered only there', shownDefault: 'the site of --domain, else intl' },
  domain: { flag: 'domain', env: ['TRTC_API_DOMAIN'], schema: z.enum(CLOUD_DOMAINS), help: 'Cloud API domain: trtc.intl.tencentcloudapi.com (international site) or trtc.tencentcloudapi.com (China site)', shownDefault: 'the domain of --site' },
  endpoint: { flag: 'endpoint', env: ['TRTC_ENDPOINT'], schema: z.url({ protocol: /^https?$/ }), help: 'Base URL that replaces https://<domain>/ (private endpoints, tests)' },
  secretId: { flag: 'secret-id', env: ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRETID'], schema: credential, quiet: true, help: 'Tencent Cloud API SecretId' },
  secretKey: { env: ['TENCENTCLOUD_SECRET_KEY', 'TENCENTCLOUD_SECRETKEY'], schema: credential, secret: true, help: 'Tencent Cloud API SecretKey' },
  sessionToken: { env: ['TENCENTCLOUD_SESSION_TOKEN', 'TENCENTCLOUD_SESSIONTOKEN'], schema: z.string().min(1), secret: true, help: 'Session token of temporary credentials (sent as X-TC-Token)' },
  sdkAppId: { flag: 'sdk-app-id', env: ['TRTC_SDK_APP_ID'], schema: int(1, 2 ** 32 - 1), help: 'Default TRTC SDKAppID, used when a tool call leaves SdkAppId out' },
  sdkSecretKey: { env: ['TRTC_SDK_SECRET_KEY'], schema: z.string().min(1), secret: true, help: 'The app\'s SDK secret key, used to mint UserSigs for the admin and bot users' },
  aiProfiles: { flag: 'ai-profiles', env: ['TRTC_AI_PROFILES'], schema: z.string().min(1), help: 'JSON file of named LLM and TTS configurations, {"llm":{"<name>":{...}},"tts":{...}}; agents pass {"profile":"<name>"} and never see the keys' },
  llmConfig: { env: ['TRTC_LLM_CONFIG'], schema: z.string().min(1), secret: true, help: 'LLMConfig JSON (with its API key) offered to agents as the LLM profile "default"' },
  ttsConfig: { env: ['TRTC_TTS_CONFIG'], schema: z.string().min(1), secret: true, help: 'TTSConfig JSON (with its keys) offered to agents as the TTS profile "default"' },
  adminUserId: { flag: 'admin-user-id', env: ['TRTC_ADMIN_USER_ID'], schema: z.string().min(1), default: 'administrator', help: 'App admin account used by the REST APIs' },
  restRegion: { flag: 'rest-region', env: ['TRTC_REST_REGION'], schema: z.enum(Object.keys(REST_HOSTS) as [RestRegion, ...RestRegion[]]), default: 'singapore', help: `Data center the app was created in, which picks the REST API host: ${Object.keys(REST_HOSTS).join(', ')}` },
  restEndpoint: { flag: 'rest-endpoint', env: ['TRTC_REST_ENDPOINT'], schema: z.url({ protocol: /^https?$/ }), help: 'Base URL that replaces https://<REST host>/ (private endpoints, tests)' },
  sandbox: { flag: 'sandbox', env: ['TRTC_SANDBOX'], schema: bool, default: false, help: 'Serve from the built-in local TRTC emulator (the default when no credentials are set)' },
  sandboxWorld: { flag: 'sandbox-world', env: ['TRTC_SANDBOX_WORLD'], schema: z.string().min(1), help: 'JSON file with the apps, rooms and users the sandbox starts with' },
  timeoutMs: { flag: 'timeout', env: ['TRTC_TIMEOUT_MS'], schema: int(100, 600_000), default: 15_000, help: 'Timeout of one API request, in milliseconds' },
  maxRetries: { flag: 'max-retries', env: ['TRTC_MAX_RETRIES'], schema: int(0, 10), default: 2, help: 'Retries of calls that are safe to repeat' },
  logLevel: { flag: 'log-level', env: ['TRTC_MCP_LOG_LEVEL'], schema: z.enum(['debug', 'info', 'warn', 'error', 'silent']), default: 'info', help: 'Least severe log level written to stderr' },
  logFormat: { flag: 'log-format', env: ['TRTC_MCP_LOG_FORMAT'], schema: z.enum(['text', 'json']), default: 'text', help: 'Log line format on stderr' },
  profile: { flag: 'profile', env: ['TENCENTCLOUD_PROFILE'], schema: z.string().regex(/^[\w.-]+$/, 'must be a profile name'), help: 'Read the keys from the Tencent CLI profile <credentials-dir>/<profile>.credential' },
  credentialsDir: { flag: 'credentials-dir', env: ['TRTC_MCP_CREDENTIALS_DIR'], schema: z.string().min(1), help: 'Folder of Tencent CLI credential files', shownDefault: '~/.tccli' },
  // Guardrails.
  readOnly: { flag: 'read-only', env: ['TRTC_MCP_READ_ONLY'], schema: bool, default: false, help: 'Expose and allow only read-only tools' },
  toolsets: { flag: 'toolsets', env: ['TRTC_MCP_TOOLSETS'], schema: emptiable, default: ['room', 'ai'], help: `Comma-separated toolsets to list (${TOOLSETS.join(', ')}), "all", or "none" (the discovery tools alone); the discovery tools reach the rest` },
  tools: { flag: 'tools', env: ['TRTC_MCP_TOOLS'], schema: emptiable, default: [...DEFAULT_TOOLS], help: 'Comma-separated tools to list in addition to the toolsets ("none" for none)' },
  denyTools: { flag: 'deny-tools', env: ['TRTC_MCP_DENY_TOOLS'], schema: list, default: [], help: 'Comma-separated tools never to expose' },
  allowApps: { flag: 'allow-apps', env: ['TRTC_MCP_ALLOW_APPS'], schema: list.pipe(z.array(z.string().regex(/^\d+$/, 'must be numeric SdkAppIds').transform(Number))), default: [], help: 'Comma-separated SdkAppIds the server may touch (empty: any)' },
  allowRooms: { flag: 'allow-rooms', env: ['TRTC_MCP_ALLOW_ROOMS'], schema: list.pipe(z.array(roomPattern)), default: [], help: 'Comma-separated rooms the server may touch (empty: any). Numeric and string rooms are different rooms: 1234 or 12* means numeric rooms, str:1234 or str:team-* string rooms (a pattern with other characters than digits and * is a string room pattern); * matches any characters' },
  allowAccountWide: { flag: 'allow-account-wide', env: ['TRTC_MCP_ALLOW_ACCOUNT_WIDE'], schema: bool, default: false, help: 'With --allow-apps, also allow what reaches the whole account rather than one app: AllApps reads and voiceprints' },
  dryRun: { flag: 'dry-run', env: ['TRTC_MCP_DRY_RUN'], schema: bool, default: false, help: 'Show each request that would be sent, with secrets redacted, and send nothing' },
  confirm: { flag: 'confirm', env: ['TRTC_MCP_CONFIRM'], schema: z.enum(['none', 'destructive', 'mutating']), default: 'destructive', help: 'What needs human consent first: destructive actions, every mutating action, or none (needs --dangerously-skip-consent)' },
  dangerouslySkipConsent: { flag: 'dangerously-skip-consent', env: ['TRTC_MCP_DANGEROUSLY_SKIP_CONSENT'], schema: bool, default: false, help: 'Run destructive actions without asking anyone. Dangerous.' },
  consentChannel: { flag: 'consent-channel', env: ['TRTC_MCP_CONSENT_CHANNEL'], schema: z.enum(['auto', 'elicitation-only', 'approver']), default: 'auto', help: 'How users consent: auto (the client asks its user where it supports elicitation; else a human approver on the approval page when one is configured; else the agent relays a preview and a single-use token), elicitation-only (refuse consent-needing calls from clients that cannot ask their user), or approver (only a human approver on the approval page, whatever the client)' },
  confirmTtl: { flag: 'confirm-ttl', env: ['TRTC_MCP_CONFIRM_TTL'], schema: int(1, 3600), default: 300, help: 'Seconds a confirmation token stays valid' },
  confirmSecret: { env: ['TRTC_MCP_CONFIRM_SECRET'], schema: z.string().min(16, 'must have at least 16 characters'), secret: true, help: 'Key that signs confirmation tokens; share it across replicas', shownDefault: 'derived from the SecretKey; in sandbox mode, a key kept in the state store (made for the run unless --store is set)' },
  // Approvals outside the agent: the approval page and its notifications.
  approverToken: { env: ['TRTC_MCP_APPROVER_TOKEN'], schema: authTokenSchema, secret: true, help: 'Token with which human approvers sign in to the approval page; never give it to an agent' },
  approverTokenFile: { flag: 'approver-token-file', env: ['TRTC_MCP_APPROVER_TOKEN_FILE'], schema: z.string().min(1), help: 'File holding the approver token, instead of TRTC_MCP_APPROVER_TOKEN' },
  approvalsListen: { flag: 'approvals-listen', env: ['TRTC_MCP_APPROVALS_LISTEN'], schema: hostPort, help: 'Serve the approval page on a port of its own, HOST:PORT (needed when MCP runs over stdio; with HTTP it is at /approvals on the MCP port)' },
  approvalsUrl: { flag: 'approvals-url', env: ['TRTC_MCP_APPROVALS_URL'], schema: z.url({ protocol: /^https?$/ }), help: 'Public address of the approval page (behind a proxy or load balancer), for the links in answers and notifications', shownDefault: 'where it is served' },
  approvalTtl: { flag: 'approval-ttl', env: ['TRTC_MCP_APPROVAL_TTL'], schema: int(2, 7 * 86_400), default: 1800, help: 'Seconds a pending approval waits for a decision, and an approved one for its call' },
  fourEyes: { flag: 'four-eyes', env: ['TRTC_MCP_FOUR_EYES'], schema: bool, default: false, help: 'Refuse an approver\'s decision on a call they requested themselves' },
  approvalWebhookUrl: { env: ['TRTC_MCP_APPROVAL_WEBHOOK_URL'], schema: z.url({ protocol: /^https?$/ }), secret: true, help: 'URL told of each pending approval by a signed Standard Webhooks POST, with a link to its page (kept secret: such URLs often carry a key)' },
  approvalWebhookSecret: { env: ['TRTC_MCP_APPROVAL_WEBHOOK_SECRET'], schema: z.string().regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'must be a Standard Webhooks secret, whsec_ and base64'), secret: true, help: 'Secret that signs the approval webhooks (whsec_...), shared with their receiver' },
  rateLimitScale: { flag: 'rate-limit-scale', env: ['TRTC_MCP_RATE_LIMIT_SCALE'], schema: z.coerce.number({ error: 'must be a number' }).min(0.01).max(100_000), default: 1, help: 'Multiplies every documented rate limit, for accounts whose quotas Tencent raised (the sandbox takes the same flag)' },
  rateLimitWaitMs: { flag: 'rate-limit-wait', env: ['TRTC_MCP_RATE_LIMIT_WAIT_MS'], schema: int(0, 60_000), default: 2000, help: 'Longest wait (ms) for a free slot under an action\'s rate limit before failing the call' },
  store: { flag: 'store', env: ['TRTC_MCP_STORE'], schema: z.string().min(1), help: 'Where durable state lives (spent confirmation tokens, the ledger of what this server started, TRTC events): a directory shared by the processes on this host, redis://[user:password@]host:port[/db] shared by replicas, or "memory" for this process alone', shownDefault: '$XDG_STATE_HOME/trtc-mcp, else ~/.local/state/trtc-mcp; in sandbox mode, memory (the sandbox keeps to itself)' },
  auditLog: { flag: 'audit-log', env: ['TRTC_MCP_AUDIT_LOG'], schema: z.string().min(1), help: 'File to append the JSON Lines audit trail of writes to', shownDefault: 'stderr' },
  replicaId: { flag: 'replica-id', env: ['TRTC_MCP_REPLICA_ID'], schema: z.string().regex(/^[\w.:@-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ : @ -'), help: 'Name of this process among the replicas that share a store: every audit record and /healthz carry it', shownDefault: '<hostname>-<pid>' },
  // HTTP transport security.
  authToken: { env: ['TRTC_MCP_AUTH_TOKEN'], schema: authTokenSchema, secret: true, help: 'Bearer token HTTP clients must present (required to bind beyond loopback)' },
  authTokenFile: { flag: 'auth-token-file', env: ['TRTC_MCP_AUTH_TOKEN_FILE'], schema: z.string().min(1), help: 'File holding the bearer token, instead of TRTC_MCP_AUTH_TOKEN' },
  allowedHosts: { flag: 'allowed-hosts', env: ['TRTC_MCP_ALLOWED_HOSTS'], schema: list, default: [], help: 'Extra Host header values the HTTP transport accepts (loopback names are always accepted)' },
  allowedOrigins: { flag: 'allowed-origins', env: ['TRTC_MCP_ALLOWED_ORIGINS'], schema: list.pipe(z.array(origin)), default: [], help: 'Browser origins the HTTP transport accepts besides its own (http://<loopback name or --host>:<port>), each exactly as scheme://host[:port]' },
  maxBodyBytes: { flag: 'max-body-bytes', env: ['TRTC_MCP_MAX_BODY_BYTES'], schema: int(1024, 64 * 1024 * 1024), default: 1024 * 1024, help: 'Largest HTTP request body accepted' },
  maxSessions: { flag: 'max-sessions', env: ['TRTC_MCP_MAX_SESSIONS'], schema: int(1, 100_000), default: 1000, help: 'Most concurrent HTTP sessions' },
  sessionIdle: { flag: 'session-idle', env: ['TRTC_MCP_SESSION_IDLE'], schema: int(10, 86_400), default: 1800, help: 'Seconds after which an idle HTTP session is closed' },
  // Who may call over HTTP (docs/auth.md).
  auth: { flag: 'auth', env: ['TRTC_MCP_AUTH'], schema: z.enum(['none', 'token', 'oauth']), help: 'How HTTP clients authenticate: none (loopback only), token (one shared bearer token), or oauth (access tokens of an OAuth 2.1 authorization server, permissions per identity)', shownDefault: 'oauth when --oauth-issuer is set, token when a bearer token is, else none' },
  oauthIssuer: { flag: 'oauth-issuer', env: ['TRTC_MCP_OAUTH_ISSUER'], schema: absoluteUrl, help: 'Issuer of the authorization server whose access tokens are accepted (its metadata is read from the issuer\'s well-known URL)' },
  oauthResource: { flag: 'oauth-resource', env: ['TRTC_MCP_OAUTH_RESOURCE'], schema: absoluteUrl, help: 'Canonical URI of this server as clients reach it, e.g. https://mcp.example.com: tokens must be issued for it (their aud)' },
  oauthJwksUri: { flag: 'oauth-jwks-uri', env: ['TRTC_MCP_OAUTH_JWKS_URI'], schema: absoluteUrl, help: 'Where the issuer publishes its signing keys', shownDefault: 'jwks_uri of the issuer\'s metadata' },
  oauthAlgorithms: { flag: 'oauth-algorithms', env: ['TRTC_MCP_OAUTH_ALGORITHMS'], schema: list.pipe(z.array(z.enum(TOKEN_ALGORITHMS, { error: `must be among ${TOKEN_ALGORITHMS.join(', ')} (never none or HS*)` })).min(1)), default: [...TOKEN_ALGORITHMS], help: 'Signature algorithms accepted on access tokens (asymmetric only)' },
  oauthClockSkew: { flag: 'oauth-clock-skew', env: ['TRTC_MCP_OAUTH_CLOCK_SKEW'], schema: int(0, 300), default: 30, help: 'Seconds of clock difference tolerated on a token\'s exp and nbf' },
  oauthPolicy: { flag: 'oauth-policy', env: ['TRTC_MCP_OAUTH_POLICY'], schema: z.string().min(1), help: 'JSON file mapping token claims (sub, groups...) to apps, rooms, tools and a consent policy per identity; without it every identity gets what its scopes and the server\'s settings allow' },
  identityRateShare: { flag: 'rate-share', env: ['TRTC_MCP_RATE_SHARE'], schema: z.coerce.number({ error: 'must be a number' }).min(0.01).max(1), default: 0.5, help: 'Largest share of each Tencent action\'s rate limit one OAuth identity may use (1 for no limit of its own)' },
  // TRTC event callbacks.
  callbackKey: { env: ['TRTC_CALLBACK_KEY'], schema: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be letters and digits, as set in the TRTC console').min(MIN_CALLBACK_KEY, `must have at least ${MIN_CALLBACK_KEY} characters (a short key is guessed online in seconds; the TRTC console makes 32)`), secret: true, help: 'Callback key from the TRTC console; callbacks are received (at /callbacks) only when it is set, and only if signed with it' },
  callbacksListen: { flag: 'callbacks-listen', env: ['TRTC_MCP_CALLBACKS_LISTEN'], schema: hostPort, help: 'Receive TRTC callbacks on a port of their own, HOST:PORT (needed when MCP runs over stdio; with HTTP they arrive at /callbacks on the MCP port)' },
  callbacksRate: { flag: 'callbacks-rate', env: ['TRTC_MCP_CALLBACKS_RATE'], schema: int(1, 1_000_000), default: 1000, help: 'Most signed callbacks stored per second; more are answered 429, and TRTC retries them' },
  eventsMax: { flag: 'events-max', env: ['TRTC_MCP_EVENTS_MAX'], schema: int(100, 1_000_000), default: 10_000, help: 'Events kept per app; the oldest go first' },
  eventsMaxAge: { flag: 'events-max-age', env: ['TRTC_MCP_EVENTS_MAX_AGE'], schema: int(600, 30 * 86_400), default: 86_400, help: 'Seconds an event is kept' },
  // OpenTelemetry export (docs/observability.md): off unless an endpoint or an exporter is set. The other standard
  // OTEL_* variables (timeouts, compression, certificates, sampler, batching, service name, resource) apply as
  // OpenTelemetry defines them.
  otelEndpoint: { env: ['OTEL_EXPORTER_OTLP_ENDPOINT'], schema: z.url({ protocol: /^https?$/ }), help: 'OpenTelemetry: base URL of an OTLP/HTTP collector, e.g. http://collector:4318, that traces and metrics are exported to (docs/observability.md)' },
  otelTracesEndpoint: { env: ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'], schema: z.url({ protocol: /^https?$/ }), help: 'URL that traces are exported to, instead of <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces' },
  otelMetricsEndpoint: { env: ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'], schema: z.url({ protocol: /^https?$/ }), help: 'URL that metrics are exported to, instead of <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/metrics' },
  otelProtocol: { env: ['OTEL_EXPORTER_OTLP_PROTOCOL'], schema: z.enum(['http/protobuf', 'http/json'], { error: 'must be http/protobuf or http/json (gRPC is not supported: use the collector\'s OTLP/HTTP port, 4318)' }), default: 'http/protobuf', help: 'Encoding of the exports' },
  otelHeaders: { env: ['OTEL_EXPORTER_OTLP_HEADERS'], schema: z.string().min(1), secret: true, help: 'Headers sent with every export, key=value,... (a collector\'s API key); never logged' },
  otelTracesExporter: { env: ['OTEL_TRACES_EXPORTER'], schema: z.enum(['otlp', 'none'], { error: 'must be otlp or none' }), help: 'otlp exports traces (to http://localhost:4318 when no endpoint is set); none does not' },
  otelMetricsExporter: { env: ['OTEL_METRICS_EXPORTER'], schema: z.enum(['otlp', 'none'], { error: 'must be otlp or none' }), help: 'otlp exports metrics (to http://localhost:4318 when no endpoint is set); none does not' },
  otelSdkDisabled: { env: ['OTEL_SDK_DISABLED'], schema: bool, default: false, help: 'Exports no telemetry, whatever else is set' },
  otelRecordIds: { flag: 'otel-record-ids', env: ['TRTC_MCP_OTEL_RECORD_IDS'], schema: bool, default: false, help: 'Put the room IDs and user IDs that calls and callbacks name into exported telemetry (personal data, so off by default; arguments and secrets are never exported)' },
  // MCP tasks (2026-07-28 clients that follow tasks).
  taskTtl: { flag: 'task-ttl', env: ['TRTC_MCP_TASK_TTL'], schema: int(60, 31 * 86_400), default: 86_400, help: 'Seconds a task (a recording, an AI bot... followed to its end) stays readable after it was created' },
  taskPoll: { flag: 'task-poll', env: ['TRTC_MCP_TASK_POLL'], schema: int(2, 3600), default: 10, help: 'Seconds between reads of a task\'s Describe* action when no TRTC callback reports it (each poll is one request within the action\'s rate limit)' },
} satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
type Out<K extends keyof Settings> = z.output<Settings[K]['schema']>;
/** Where each setting that was given came from: its flag (`--port`) or its environment variable. */
type Sources<K extends string> = {
  readonly sources: Readonly<Partial<Record<K, string>>>;
  /** Flags and environment variables given with an empty value, which leaves their setting unset. */
  readonly emptied?: readonly string[];
};
type Resolved = {
  [K in keyof Settings]: Settings[K] extends { default: unknown } ? Out<K> : Out<K> | undefined;
} & Sources<keyof Settings>;
/** The site and its domain default to each other, so both are always known once loaded; so is the replica's name. */
export type Config = Omit<Resolved, 'site' | 'domain' | 'replicaId' | 'auth'> & { site: Site; domain: CloudDomain; replicaId: string; auth: AuthMode };
export type AuthMode = 'none' | 'token' | 'oauth';

/** Settings only the HTTP transport reads. */
const HTTP_ONLY = [
  'host', 'port', 'authToken', 'authTokenFile', 'allowedHosts', 'allowedOrigins', 'maxBodyBytes', 'maxSessions', 'sessionIdle',
  'auth', 'oauthIssuer', 'oauthResource', 'oauthJwksUri', 'oauthAlgorithms', 'oauthClockSkew', 'oauthPolicy', 'identityRateShare',
] as const;

/** Settings of `trtc-mcp sandbox`, the standalone emulator. */
const SANDBOX_SETTINGS = {
  host: { flag: 'host', schema: z.string().min(1), default: '127.0.0.1', help: 'Address to bind' },
  port: { flag: 'port', schema: int(0, 65535), default: 0, help: 'Port to listen on (0 picks a free one)' },
  secretId: { flag: 'secret-id', schema: credential, quiet: true, help: 'SecretId the sandbox accepts (generated when omitted)' },
  secretKey: { flag: 'secret-key', schema: credential, secret: true, help: 'SecretKey the sandbox accepts (generated when omitted)' },
  sdkAppId: { flag: 'sdk-app-id', schema: int(1, 2 ** 32 - 1), help: 'SDKAppID of the default app' },
  sdkSecretKey: { flag: 'sdk-secret-key', schema: z.string().min(1), secret: true, help: 'SDK secret key of the default app (generated when omitted)' },
  world: { flag: 'world', schema: z.string().min(1), help: 'JSON file with the apps, rooms and users to start with' },
  rateLimitScale: { flag: 'rate-limit-scale', schema: z.coerce.number({ error: 'must be a number' }).min(0.01).max(100_000), default: 1, help: 'Multiplies every documented rate limit the sandbox enforces (load tests)' },
  site: { flag: 'site', schema: z.enum(SITES), default: 'intl', help: 'Which Tencent Cloud site it plays: actions documented only for the other site are refused' },
  callbackUrl: { flag: 'callback-url', schema: z.url({ protocol: /^https?$/ }), help: 'URL to POST TRTC event callbacks to (joins, exits, recordings, AI sentences...), signed with TRTC_CALLBACK_KEY' },
  allowedHosts: { flag: 'allowed-hosts', schema: list, default: [], help: 'Extra Host header values (host names) the unsigned /_sandbox/ endpoints accept, however it is bound; its address and loopback names are always accepted' },
  callbackKey: SETTINGS.callbackKey,
  logLevel: SETTINGS.logLevel,
  logFormat: SETTINGS.logFormat,
} satisfies Record<string, Setting>;
export type SandboxCliConfig = {
  [K in keyof typeof SANDBOX_SETTINGS]: z.output<(typeof SANDBOX_SETTINGS)[K]['schema']> | ((typeof SANDBOX_SETTINGS)[K] extends { default: unknown } ? never : undefined);
} & Sources<keyof typeof SANDBOX_SETTINGS>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A setting's value as an error may show it: the userinfo of a URL (which can hold a password) is left out, and so
 * is any secret the configuration holds, since none is registered with the redactor yet.
 */
function shown(raw: unknown, secrets: readonly string[]): string {
  let text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  text = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/gi, '$1(userinfo hidden)@');
  for (const secret of secrets) text = text.split(secret).join('(hidden)');
  return JSON.stringify(text);
}

/** The values given for the secret settings, whether valid or not. */
function secretValues(table: Record<string, Setting>, argv: string[], env: NodeJS.ProcessEnv): string[] {
  const flags = new Set(Object.values(table).flatMap((s) => (s.secret && s.flag ? [`--${s.flag}`] : [])));
  const given = [
    ...argv.flatMap((a, i) => (flags.has(a) ? [argv[i + 1]] : a.includes('=') && flags.has(a.slice(0, a.indexOf('='))) ? [a.slice(a.indexOf('=') + 1)] : [])),
    ...Object.values(table).flatMap((s) => (s.secret ? (s.env ?? []).map((n) => env[n]) : [])),
  ];
  // Longest first, so that a secret inside another is hidden by the longer one.
  return given.filter((v): v is string => typeof v === 'string' && v.length >= 4).sort((a, b) => b.length - a.length);
}

function resolve<T>(table: Record<string, Setting>, argv: string[], env: NodeJS.ProcessEnv): T {
  const secrets = secretValues(table, argv, env);
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const s of Object.values(table)) {
    if (s.flag) options[s.flag] = { type: s.schema === bool ? 'boolean' : 'string' };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    const message = secrets.reduce((m, secret) => m.split(secret).join('(hidden)'), (err as Error).message);
    throw new ConfigError(`${message}. Run with --help to see every setting.`);
  }
  const sources: Record<string, string> = {};
  const emptied: string[] = [];
  const out: Record<string, unknown> = { sources, emptied };
  for (const [key, s] of Object.entries(table)) {
    if (s.flag && values[s.flag] === '') emptied.push(`--${s.flag}`);
    emptied.push(...(s.env ?? []).filter((n) => env[n] === ''));
    let source: string | undefined;
    let raw: unknown;
    // An empty value, from a flag or the environment, leaves the setting unset: its default applies.
    if (s.flag && values[s.flag] !== undefined && values[s.flag] !== '') {
      source = `--${s.flag}`;
      raw = values[s.flag];
    } else {
      const name = s.env?.find((n) => env[n] !== undefined && env[n] !== '');
      if (name) [source, raw] = [name, env[name]];
    }
    if (raw === undefined) {
      out[key] = s.default;
      continue;
    }
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) {
      const rule = parsed.error.issues.map((i) => i.message).join('; ');
      const got = s.quiet ? '' : ` (got ${s.secret ? '(hidden)' : shown(raw, secrets)})`;
      throw new ConfigError(`Invalid setting ${source}: ${rule}${got}. Run with --help to see every setting.`);
    }
    out[key] = parsed.data;
    sources[key] = source!;
  }
  return out as T;
}

/** The flag a secret would have if it had one (secretKey: --secret-key), with where the secret goes instead. */
const SECRET_FLAGS = new Map(
  Object.entries(SETTINGS as Record<string, Setting>).flatMap(([key, s]) => {
    if (!s.secret || s.flag || !s.env) return [];
    const file = (SETTINGS as Record<string, Setting>)[`${key}File`]?.flag;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return [[flag, `Set ${s.env[0]}${file ? `, or put the ${flag.slice(2).split('-').pop()} in a file and pass --${file}` : ''}.`]];
  }),
);

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  for (const arg of argv) {
    const instead = SECRET_FLAGS.get(arg.replace(/=.*$/s, ''));
    if (instead) throw new ConfigError(`${arg.replace(/=.*$/s, '')} is not accepted: a command line is visible to every local user. ${instead}`);
  }
  const raw = resolve<Resolved>(SETTINGS, argv, env);
  if (raw.site && raw.domain && siteOfDomain(raw.domain) !== raw.site) {
    throw new ConfigError(`--site ${raw.site} and --domain ${raw.domain} disagree: ${SITE_DOMAINS[raw.site]} is the ${raw.site} site's domain. Set one of them.`);
  }
  const site = raw.site ?? (raw.domain ? siteOfDomain(raw.domain) : 'intl');
  const config: Config = { ...raw, site, domain: raw.domain ?? SITE_DOMAINS[site], replicaId: raw.replicaId ?? `${hostname()}-${process.pid}`, auth: 'none' };
  if (config.sources.store === '--store' && /^rediss?:\/\/[^/@]*:[^/@]*@/.test(config.store ?? '')) {
    throw new ConfigError('--store carries a password, and a command line is visible to every local user: set TRTC_MCP_STORE to the URL instead.');
  }
  if (config.authTokenFile) {
    if (config.authToken) throw new ConfigError('Both TRTC_MCP_AUTH_TOKEN and --auth-token-file are set: set one of them.');
    config.authToken = readTokenFile(config.authTokenFile, '--auth-token-file');
  }
  if (config.secretKey && !config.secretId) {
    throw new ConfigError('TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not: set both, or neither to use the sandbox.');
  }
  if (config.secretId && !config.secretKey && !config.sandbox && !config.profile) {
    throw new ConfigError('TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not: set both, or neither to use the sandbox.');
  }
  if (config.confirm === 'none' && !config.dangerouslySkipConsent) {
    throw new ConfigError('--confirm none turns off consent for destructive actions; it also needs --dangerously-skip-consent.');
  }
  if (config.dangerouslySkipConsent) config.confirm = 'none';
  if (config.transport === 'stdio') {
    const flags = HTTP_ONLY.map((k) => config.sources[k]).filter((s) => s?.startsWith('--'));
    if (flags.length) {
      const [them, apply] = flags.length === 1 ? ['it', 'applies'] : ['them', 'apply'];
      throw new ConfigError(`${flags.join(', ')} ${apply} to the HTTP transport only, and this server would serve stdio: add --transport http, or leave ${them} out.`);
    }
  }
  for (const [flag, listen] of [['--callbacks-listen', config.callbacksListen], ['--approvals-listen', config.approvalsListen]] as const) {
    const port = listen ? Number(listen.slice(listen.lastIndexOf(':') + 1)) : 0;
    if (port > 65535) throw new ConfigError(`Invalid setting ${flag}: port ${port} must be at most 65535.`);
  }
  config.auth = authMode(raw.auth, config);
  checkApprovals(config);
  if (config.transport === 'http' && !isLoopback(config.host) && config.auth === 'none') {
    throw new ConfigError(`Refusing to serve HTTP on ${config.host} without authentication: ${setToken(config)}, or bind to 127.0.0.1.`);
  }
  return config;
}

/** What to do for a bearer token, saying so when the variable is there but empty (which counts as unset). */
const setToken = (config: Pick<Config, 'emptied'>) =>
  config.emptied?.includes('TRTC_MCP_AUTH_TOKEN')
    ? 'TRTC_MCP_AUTH_TOKEN is empty; put the token in it (at least 16 characters) or pass --auth-token-file'
    : 'set TRTC_MCP_AUTH_TOKEN or --auth-token-file';

/**
 * The authentication mode, given or implied by the settings, after refusing combinations that cannot mean what the
 * operator wants: OAuth settings without OAuth, an issuer without a resource, a shared token beside OAuth, OAuth on stdio.
 */
function authMode(given: AuthMode | undefined, config: Config): AuthMode {
  const src = (k: keyof Config['sources']) => config.sources[k] ?? k;
  const token = config.authToken !== undefined;
  const oauthSet = (['oauthIssuer', 'oauthResource', 'oauthJwksUri', 'oauthPolicy'] as const).filter((k) => config[k] !== undefined);
  const mode = given ?? (config.oauthIssuer !== undefined ? 'oauth' : token ? 'token' : 'none');
  if (mode !== 'oauth' && oauthSet.length) {
    throw new ConfigError(`${oauthSet.map(src).join(', ')} ${oauthSet.length === 1 ? 'is' : 'are'} set, but authentication is ${mode}${given ? '' : ' (no --oauth-issuer)'}: add --auth oauth with --oauth-issuer and --oauth-resource, or leave ${oauthSet.length === 1 ? 'it' : 'them'} out.`);
  }
  if (mode === 'token' && !token) throw new ConfigError(`--auth token needs the bearer token: ${setToken(config)}.`);
  if (mode === 'none' && token) throw new ConfigError(`${src('authToken')} sets a bearer token, but --auth is none: choose --auth token, or leave the token out.`);
  if (mode !== 'oauth') return mode;
  if (config.transport === 'stdio') throw new ConfigError('--auth oauth protects the HTTP transport, and this server would serve stdio, where the client\'s user is the operator: add --transport http, or leave OAuth out.');
  if (token) throw new ConfigError(`${src('authToken')} sets a shared bearer token, and --auth is oauth: OAuth gives every caller an identity of their own. Leave the token out.`);
  if (!config.oauthIssuer) throw new ConfigError('--auth oauth needs --oauth-issuer: the issuer URL of the authorization server whose tokens this server accepts.');
  if (!config.oauthResource) throw new ConfigError('--oauth-issuer is set but --oauth-resource is not: set the canonical URI clients reach this server at (e.g. https://mcp.example.com), which tokens must be issued for.');
  for (const key of ['oauthIssuer', 'oauthResource', 'oauthJwksUri'] as const) {
    const value = config[key];
    if (value === undefined) continue;
    const url = new URL(value);
    if (url.protocol !== 'https:' && !isLoopback(url.hostname.replace(/^\[|\]$/g, ''))) throw new ConfigError(`Invalid setting ${src(key)}: ${value} must use https (plain http only on a loopback address).`);
    if (url.hash || (key !== 'oauthJwksUri' && url.search)) throw new ConfigError(`Invalid setting ${src(key)}: ${value} must have no ${url.hash ? 'fragment' : 'query'}.`);
  }
  return mode;
}

/** The token file's content without its final line break; the value is never echoed. */
function readTokenFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Invalid setting ${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const token = text.replace(/\r?\n$/, '');
  const parsed = authTokenSchema.safeParse(token);
  if (!parsed.success) throw new ConfigError(`Invalid setting ${flag}: the token in ${path} ${parsed.error.issues.map((i) => i.message).join('; ')}.`);
  if (/\s/.test(token)) throw new ConfigError(`Invalid setting ${flag}: the token in ${path} must be one line without spaces.`);
  return token;
}

type ApprovalSettings = Pick<Config, 'approverToken' | 'auth' | 'consentChannel'>;

/**
 * Whether people can sign in to approve: the holders of an approver token, and, when the operator sends consent to
 * approvers (--consent-channel approver) under OAuth, identities whose tokens carry trtc:approve.
 */
export const approversConfigured = (config: ApprovalSettings): boolean =>
  config.approverToken !== undefined || (config.auth === 'oauth' && config.consentChannel === 'approver');

/** Whether consent may go to a human approver on the approval page (see consent.ts for when it does). */
export const usesApprovals = (config: ApprovalSettings & Pick<Config, 'confirm' | 'readOnly'>): boolean =>
  approversConfigured(config) && config.consentChannel !== 'elicitation-only' && config.confirm !== 'none' && !config.readOnly;

/** The approval settings agree with each other and with the transport, and no agent can hold the approver token. */
function checkApprovals(config: Config): void {
  if (config.approverTokenFile) {
    if (config.approverToken) throw new ConfigError('Both TRTC_MCP_APPROVER_TOKEN and --approver-token-file are set: set one of them.');
    config.approverToken = readTokenFile(config.approverTokenFile, '--approver-token-file');
  }
  const approvers = approversConfigured(config);
  if (config.approverToken !== undefined && config.approverToken === config.authToken) {
    throw new ConfigError('The approver token equals the MCP bearer token, so every MCP client (and its agent) could approve: give approvers a token of their own.');
  }
  if (config.consentChannel === 'approver' && !approvers) {
    throw new ConfigError('--consent-channel approver needs people who can approve: set TRTC_MCP_APPROVER_TOKEN or --approver-token-file, or serve HTTP with --auth oauth (identities with trtc:approve).');
  }
  if (approvers && config.consentChannel === 'elicitation-only') {
    throw new ConfigError('--consent-channel elicitation-only takes consent only from the client\'s own user, so the approver token would never be used: choose --consent-channel approver or auto, or leave the token out.');
  }
  if (approvers && config.transport === 'stdio' && !config.approvalsListen) {
    throw new ConfigError('Approvers are configured, but with stdio the approval page needs a port of its own: add --approvals-listen 127.0.0.1:<port>.');
  }
  const needing = (['approvalsListen', 'approvalsUrl', 'fourEyes', 'approvalWebhookUrl'] as const).filter((k) => config[k]).map((k) => config.sources[k]);
  if (needing.length && !approvers) {
    throw new ConfigError(`${needing.join(', ')} ${needing.length === 1 ? 'applies' : 'apply'} to approvals, and no approver is configured: set TRTC_MCP_APPROVER_TOKEN or --approver-token-file.`);
  }
  if (config.approvalWebhookUrl && !config.approvalWebhookSecret) {
    throw new ConfigError('TRTC_MCP_APPROVAL_WEBHOOK_URL is set but TRTC_MCP_APPROVAL_WEBHOOK_SECRET is not: notifications are signed, so set a whsec_... secret shared with the receiver.');
  }
  if (config.approvalWebhookSecret && !config.approvalWebhookUrl) {
    throw new ConfigError('TRTC_MCP_APPROVAL_WEBHOOK_SECRET is set but TRTC_MCP_APPROVAL_WEBHOOK_URL is not: set where to send approval notifications, or leave the secret out.');
  }
}

/**
 * What the server should warn about at start: settings from the environment that the chosen transport ignores, and
 * an HTTP server bound beyond loopback that no client can reach by another name yet.
 */
export function startupWarnings(config: Config): string[] {
  if (config.transport !== 'stdio') {
    if (isLoopback(config.host) || config.allowedHosts.length) return [];
    return [`serving HTTP on ${config.host}: requests are admitted only by a loopback name or ${config.host} in their Host header; add the names clients use (this machine's IP address or host name) to --allowed-hosts`];
  }
  const ignored = HTTP_ONLY.map((k) => config.sources[k]).filter((s): s is string => s !== undefined);
  if (!ignored.length) return [];
  return [`${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} set, but only the HTTP transport reads ${ignored.length === 1 ? 'it' : 'them'}; serving stdio (set TRTC_MCP_TRANSPORT=http or pass --transport http for HTTP)`];
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function loadSandboxConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): SandboxCliConfig {
  return resolve<SandboxCliConfig>(SANDBOX_SETTINGS, argv, env);
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** One setting as the help and the configuration reference show it; both are made from these rows. */
interface SettingRow {
  flag?: string;
  env: readonly string[];
  default?: string;
  help: string;
}

function settingRows(settings: Record<string, Setting>): SettingRow[] {
  return Object.values(settings).map((s) => {
    const value = Array.isArray(s.default) ? s.default.join(',') : s.default;
    return {
      flag: s.flag && `--${s.flag}${s.schema === bool ? '' : ' <value>'}`,
      env: s.env ?? [],
      default: s.shownDefault ?? (value !== undefined && value !== '' ? String(value) : undefined),
      help: s.help,
    };
  });
}

function table(settings: Record<string, Setting>): string {
  const rows = settingRows(settings).map((r) => {
    const flag = r.flag ?? '(environment only)';
    const dflt = r.default !== undefined ? ` [default: ${r.default}]` : '';
    return `  ${`${flag} `.padEnd(28)} ${r.help}${dflt}${r.env.length ? `\n  ${''.padEnd(28)} env: ${r.env.join(', ')}` : ''}`;
  });
  return rows.join('\n');
}

/** docs/configuration.md: every setting of the server and of the standalone sandbox, from the same rows as --help. */
export function renderConfigDoc(): string {
  const cell = (text: string) => text.replace(/[|<>]/g, (c) => `\\${c}`);
  const markdown = (settings: Record<string, Setting>) => [
    '| Flag | Environment | Default | What it sets |',
    '|---|---|---|---|',
    ...settingRows(settings).map((r) =>
      `| ${r.flag ? `\`${r.flag}\`` : '(environment only)'} | ${r.env.map((e) => `\`${e}\``).join(', ')} | ${r.default !== undefined ? cell(r.default) : ''} | ${cell(r.help)} |`),
  ];
  return [
    '# Configuration',
    '',
    'Generated from the settings table in `src/config.ts` by `npm run docs`; do not edit by hand. `trtc-mcp --help` prints the same.',
    'A flag wins over its environment variable, and an empty value (`--toolsets ""`, `TRTC_MCP_TOOLSETS=`) leaves a setting at its',
    'default. Secrets are read from the environment only.',
    '',
    'Where state lives: against Tencent Cloud, durable state (spent confirmation tokens, the ledger of what the server started,',
    'TRTC events) is in `--store`, by default a directory in the user\'s state folder that every such process on the host shares.',
    'A sandbox (`--sandbox`, or no credentials) keeps its world and that state in its own memory, gone when it exits, so that no',
    'other process (another sandbox, a server on Tencent Cloud) sees it or is seen; `--store` points it at a store on purpose.',
    '',
    '## trtc-mcp',
    '',
    ...markdown(SETTINGS),
    '',
    '## trtc-mcp sandbox',
    '',
    'The standalone emulator (`trtc-mcp sandbox --help`).',
    '',
    ...markdown(SANDBOX_SETTINGS),
    '',
  ].join('\n');
}

export function helpText(version: string): string {
  return `trtc-mcp ${version}: an MCP server for the Tencent RTC (TRTC) server APIs

Usage:
  trtc-mcp [options]              serve MCP over stdio (default) or HTTP
  trtc-mcp sandbox [options]      run the local TRTC emulator on its own and print its URL
  trtc-mcp sandbox --help         options of the standalone sandbox

Options (a flag wins over its environment variable):
${table(SETTINGS)}
  --help                       show this help

Credentials: secrets are read from the environment, never from flags.
Without credentials the server runs against the built-in sandbox and says so.
`;
}

export function sandboxHelpText(version: string): string {
  return `trtc-mcp ${version} sandbox: a local emulator of the TRTC server APIs, for tests and trials

Usage:
  trtc-mcp sandbox [options]

Options:
${table(SANDBOX_SETTINGS)}
  --help                       show this help

It prints its URL and the credentials it accepts. Point any Tencent Cloud client at it
(for trtc-mcp: TRTC_ENDPOINT=<url>). It serves the IM-style REST APIs at <url>v4/... too, for the
admin account "administrator" signing with the app's SDK secret key (for trtc-mcp: TRTC_REST_ENDPOINT=<url>
and TRTC_SDK_SECRET_KEY). With --callback-url it POSTs signed TRTC event callbacks there (the key from
TRTC_CALLBACK_KEY, or one it generates and prints); POST {"action":"say","roomId":1234,"userId":"alice",
"text":"..."} to <url>_sandbox/act to make a user speak (also enter, leave, role). Stop it with Ctrl-C.
`;
}
