// Builds what every session shares: configuration, logger, API callers and, when needed, the in-process sandbox.
import { createHmac, randomBytes } from 'node:crypto';
import { CloudApiCaller } from '../api/cloud-api.js';
import { RestApiCaller } from '../api/rest-api.js';
import { ConfigError, REST_HOSTS, usesApprovals, type Config } from '../config.js';
import { cloudCredentials, type Credentials } from '../credentials.js';
import type { Logger } from '../log.js';
import { RateGate } from '../rate-limit.js';
import { addSecret } from '../redact.js';
import { genUserSig } from '../signing/usersig.js';
import { EventFeed } from '../events/feed.js';
import { NS, openStore, storeFor, StoreUnavailableError, type Store } from '../store/index.js';
import { telemetry } from '../telemetry/index.js';
import { VERSION } from '../version.js';
import { AuditLog } from '../guardrails/audit.js';
import { Approvals } from '../guardrails/approvals.js';
import { ConfirmationTokens } from '../guardrails/consent.js';
import type { ServerContext } from './pipeline.js';

/** Minted bot UserSigs live long enough to enter a room, and no longer. */
export const MINTED_USERSIG_TTL_S = 600;

export interface RuntimeContext {
  ctx: ServerContext;
  close(): Promise<void>;
}

export async function createContext(config: Config, log: Logger): Promise<RuntimeContext> {
  // Settings that can fail are read before the sandbox starts and announces itself.
  // Loaded only when configured: start-up stays free of catalog schemas otherwise.
  const profiles = config.aiProfiles || config.llmConfig || config.ttsConfig ? (await import('../ai-profiles.js')).loadAiProfiles(config) : undefined;
  let credentials = cloudCredentials(config);
  const storeSetting = config.sources.store ?? '--store';
  const store = telemetry.store(await openStore(storeFor(config.store, config.sandbox || !credentials), log).catch((err: Error) => {
    throw new ConfigError(`Invalid setting ${storeSetting}: ${err.message}. Point it at a directory this user can create and write, or at a reachable Redis.`);
  }));
  let sandbox: ServerContext['sandbox'];
  let closeSandbox = async () => {};

  if (config.sandbox || !credentials) {
    const reason = config.sandbox ? `asked for by ${config.sources.sandbox ?? '--sandbox'}` : 'no Tencent Cloud credentials are configured';
    const [{ startSandbox }, { DEFAULT_WORLD, readWorldFile, withApp, roomKey }] = await Promise.all([import('../sandbox/index.js'), import('../sandbox/world.js')]);
    const seed = config.sandboxWorld ? readWorldFile(config.sandboxWorld, config.sources.sandboxWorld ?? '--sandbox-world') : DEFAULT_WORLD;
    // An app the operator named (TRTC_SDK_APP_ID) is the sandbox's: its world's first app plays it if it has no such app.
    const world = withApp(seed, config.sdkAppId);
    const sb = await startSandbox({ world, sdkSecretKey: config.sdkSecretKey, admins: [config.adminUserId], rateLimitScale: config.rateLimitScale, site: config.site, log });
    const firstApp = [...sb.world.apps.values()][0]!;
    const account = sb.accounts[0]!;
    credentials = { secretId: account.secretId, secretKey: account.secretKey, source: 'sandbox' } satisfies Credentials;
    addSecret(account.secretKey);
    addSecret(firstApp.sdkSecretKey);
    config = {
      ...config,
      endpoint: sb.url,
      restEndpoint: sb.url,
      sdkAppId: config.sdkAppId ?? firstApp.sdkAppId,
      sdkSecretKey: config.sdkSecretKey ?? (sb.world.apps.get(config.sdkAppId ?? firstApp.sdkAppId)?.sdkSecretKey),
    };
    sandbox = {
      reason, world: () => sb.world.snapshot(), sendCallbacksTo: (url, key) => sb.callbacks.configure({ url, key }),
      people: (app, kind, room) => sb.world.apps.get(app)?.rooms.get(roomKey(kind, room))?.users.size ?? 0,
    };
    closeSandbox = sb.close;
    log.warn(`SANDBOX MODE (${reason}): tools act on a local TRTC emulator, not on Tencent Cloud`, { sandbox: sb.url, sdkAppId: config.sdkAppId, store: store.location });
    if (world !== seed) log.warn(`the sandbox plays app ${config.sdkAppId} (${config.sources.sdkAppId}) with the rooms of its ${config.sandboxWorld ? 'world file\'s first app' : 'default world'}: it knows no other app`);
  }

  // With a shared store the rate windows are the fleet's, since Tencent counts per account and action.
  const gate = new RateGate(config.rateLimitWaitMs, config.rateLimitScale, store);
  const creds = credentials;
  // The SecretId's start is enough to tell keys apart; the redactor masks any member named SecretId.
  if (!sandbox) log.info('using Tencent Cloud credentials', { from: creds.source, key: `${creds.secretId.slice(0, 8)}…` });
  const cloud = new CloudApiCaller({
    gate,
    endpoint: config.endpoint ?? `https://${config.domain}/`,
    fixedEndpoint: config.endpoint !== undefined,
    site: config.site,
    credentials: () => creds,
    region: config.region,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    log,
    client: `trtc-mcp/${VERSION}`,
  });
  const rest = new RestApiCaller({
    gate,
    endpoint: config.restEndpoint ?? `https://${REST_HOSTS[config.restRegion]}/`,
    sdkAppId: config.sdkAppId,
    adminUserId: config.adminUserId,
    sdkSecretKey: config.sdkSecretKey,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    log,
  });
  const { sdkAppId: defaultApp, sdkSecretKey } = config;
  const wireEnv = (sdkAppId: number | undefined) => ({
    sdkAppId,
    now: Date.now,
    profiles,
    // The SDK secret key belongs to the configured app, so only that app's users can be minted for.
    mintUserSig:
      sdkSecretKey && sdkAppId !== undefined && sdkAppId === defaultApp
        ? (userId: string) => genUserSig({ sdkAppId, secretKey: sdkSecretKey, userId, expireSeconds: MINTED_USERSIG_TTL_S })
        : undefined,
  });
  // Tokens and request states stay valid across restarts and replicas that share the key (by default it derives
  // from the SecretKey); the store makes each one single-use across all of them.
  const secret = await consentSecret(config.confirmSecret, creds, store).catch((err: Error) => {
    // Only the sandbox's own key is read at start: say what it needs instead of a stack.
    if (!(err instanceof StoreUnavailableError)) throw err;
    throw new ConfigError(`Cannot start: ${err.message}, and the sandbox keeps the key of its confirmation tokens there. Start the store, set TRTC_MCP_CONFIRM_SECRET, or leave ${storeSetting} out (the sandbox then keeps its state in memory).`);
  });
  const keyFor = (use: string) => createHmac('sha256', secret).update(use).digest();
  const events = new EventFeed(store);
  const ctx: ServerContext = {
    config,
    log,
    callers: { cloud, rest },
    wireEnv,
    tokens: new ConfirmationTokens(keyFor('trtc-mcp confirmation tokens'), config.confirmTtl, store),
    requestStateKey: keyFor('trtc-mcp request states'),
    audit: new AuditLog(config.auditLog, config.replicaId),
    store,
    ...(usesApprovals(config) && { approvals: new Approvals(store, keyFor('trtc-mcp approvals'), config.approvalTtl, config.fourEyes) }),
    events,
    sandbox,
  };
  return {
    ctx,
    close: async () => {
      events.close();
      await store.close();
      await closeSandbox();
    },
  };
}

/**
 * The secret from which the keys that sign confirmation tokens and request states derive, so that they outlive the
 * process that issued them (over stdio, many clients start a server per call). The configured secret; else the
 * SecretKey, which replicas share; else, when the sandbox made up the credentials for this process, a random key
 * kept in the state store.
 */
async function consentSecret(configured: string | undefined, creds: Credentials, store: Store): Promise<string> {
  return configured ?? (creds.source === 'sandbox' ? await storedKey(store) : creds.secretKey);
}

/** The store's confirmation key, made by whichever process asks first (claim decides, so two cannot both make one). */
async function storedKey(store: Store): Promise<string> {
  const forever = Date.now() + 100 * 365 * 86_400_000;
  let key = await store.get<string>(NS.keys, CONFIRMATION_KEY);
  if (key === undefined && (await store.claim(NS.keys, CONFIRMATION_KEY, forever))) {
    key = randomBytes(32).toString('base64url');
    await store.put(NS.keys, CONFIRMATION_KEY, key, forever);
  }
  // Another process claimed it first and is writing it now.
  for (let waited = 0; key === undefined && waited < 5_000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    key = await store.get<string>(NS.keys, CONFIRMATION_KEY);
  }
  if (key === undefined) throw new ConfigError(`Invalid setting --store: ${store.location} holds no confirmation key, though one was claimed; remove ${store.location} or set TRTC_MCP_CONFIRM_SECRET.`);
  addSecret(key);
  return key;
}

const CONFIRMATION_KEY = 'confirmation-tokens';
