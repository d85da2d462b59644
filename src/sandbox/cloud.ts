// The sandbox's Cloud API 3.0 endpoint: as strict as Tencent about signatures, clocks, parameters and rates,
// and answering in Tencent's envelope with the documented error codes.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { regionsOn, servedOn, type Site, type ToolDef } from '../../tools/define.js';
import { FixedWindowCounter, rateWindow } from '../rate-limit.js';
import { roomIdProblem } from '../../tools/room-id.js';
import { fieldPath, readAt } from '../validation.js';
import { sha256Hex, TC3_ALGORITHM, tc3SignatureOf, utcDate } from '../signing/tc3.js';
import { SandboxError, STREAM, type Handler } from './handlers/types.js';
import type { World } from './world.js';

export const CLOUD_VERSION = '2019-07-22';
/** Tencent refuses signatures whose timestamp is further than this from its clock. */
const MAX_CLOCK_SKEW_S = 300;
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface Account {
  secretId: string;
  secretKey: string;
  /** When set, the key pair is temporary and every request must carry this token. */
  token?: string;
  /** Apps this account may operate; undefined means all apps in the world. */
  apps?: ReadonlySet<number>;
}

export interface CloudRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  path: string;
  query: string;
}

export interface CloudOutcome {
  action?: string;
  code: string;
  requestId: string;
  body: { Response: Record<string, unknown> };
  /** A streamed answer's events, sent as server-sent events instead of the body. */
  stream?: Array<Record<string, unknown>>;
}

/** Where an action may name its app; DescribeTrtcRoomUsage and CreateAudioModerationSync spell it their own way. */
const APP_FIELDS = ['SdkAppId', 'SdkAppid', 'Sdkappid'] as const;

export class CloudProtocol {
  private readonly limits = new Map<string, FixedWindowCounter>();

  constructor(
    private readonly world: World,
    private readonly accounts: Map<string, Account>,
    private readonly actions: ReadonlyMap<string, ToolDef>,
    private readonly handlers: Readonly<Record<string, Handler>>,
    private readonly rateLimitScale = 1,
    /** Which Tencent Cloud site the sandbox plays: actions documented only for the other one do not exist here. */
    private readonly site: Site = 'intl',
  ) {}

  handle(req: CloudRequest): CloudOutcome {
    const requestId = randomUUID();
    const action = header(req.headers, 'x-tc-action');
    try {
      const { [STREAM]: events, ...response } = this.process(req, action) as Record<string, unknown> & { [STREAM]?: Array<Record<string, unknown>> };
      const stream = events?.map((e) => ({ ...e, RequestId: requestId }));
      return { action, code: 'OK', requestId, body: { Response: { ...response, RequestId: requestId } }, ...(stream && { stream }) };
    } catch (err) {
      const e = err instanceof SandboxError ? err : new SandboxError('InternalError', 'The sandbox failed unexpectedly.');
      return { action, code: e.code, requestId, body: { Response: { Error: { Code: e.code, Message: e.message }, RequestId: requestId } } };
    }
  }

  private process(req: CloudRequest, action: string | undefined): Record<string, unknown> {
    if (req.method !== 'POST') throw new SandboxError('UnsupportedProtocol', 'The sandbox accepts POST requests signed with TC3-HMAC-SHA256.');
    if (req.body.length > MAX_BODY_BYTES) throw new SandboxError('RequestSizeLimitExceeded', 'The request body exceeds 10 MB.');
    const { account, timestamp } = this.authenticate(req);

    if (!action) throw new SandboxError('MissingParameter', 'The X-TC-Action header is missing.');
    const def = this.actions.get(action);
    if (!def || def.api.kind !== 'cloud' || !servedOn(def.api, this.site)) throw new SandboxError('InvalidAction', `The action ${action} does not exist.`);
    const version = header(req.headers, 'x-tc-version');
    if (version !== CLOUD_VERSION) throw new SandboxError('NoSuchVersion', `Version ${version ?? '(none)'} of ${action} does not exist; use ${CLOUD_VERSION}.`);
    const region = header(req.headers, 'x-tc-region');
    const regions = regionsOn(def.api, this.site);
    if (regions) {
      if (!region) throw new SandboxError('MissingParameter.Region', 'The X-TC-Region header is missing.');
      if (!regions.includes(region)) throw new SandboxError('UnsupportedRegion', `${action} is not available in ${region}.`);
    }
    if (!(header(req.headers, 'content-type') ?? '').toLowerCase().startsWith('application/json')) {
      throw new SandboxError('InvalidRequest', 'The sandbox accepts application/json bodies only.');
    }
    this.throttle(account, def, timestamp);

    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}');
    } catch {
      throw new SandboxError('InvalidParameter', 'The request body is not valid JSON.');
    }
    const params = checkParams(def, body);
    const handler = this.handlers[action];
    if (!handler) throw new SandboxError('UnsupportedOperation', `The sandbox does not emulate ${action} yet.`);
    // An account-wide action without SdkAppId covers every app the credentials reach.
    if (def.accountWide && params.SdkAppId === undefined) {
      const apps = [...this.world.apps.values()].filter((a) => !account.apps || account.apps.has(a.sdkAppId));
      if (!apps.length) throw new SandboxError('UnauthorizedOperation.SdkAppId', 'These credentials have no access to any app.');
      return handler({ world: this.world, app: apps[0]!, apps, params, site: this.site });
    }
    const app = this.appFor(account, def, params);
    return handler({ world: this.world, app, apps: [app], params, site: this.site });
  }

  /** Verifies the TC3 signature exactly as the documented algorithm defines it. */
  private authenticate(req: CloudRequest): { account: Account; timestamp: number } {
    const auth = header(req.headers, 'authorization') ?? '';
    const m = /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new SandboxError('AuthFailure.InvalidAuthorization', `The Authorization header is not a valid ${TC3_ALGORITHM} authorization.`);
    const [, secretId, date, service, signedHeaders, signature] = m as unknown as string[];

    const tsText = header(req.headers, 'x-tc-timestamp') ?? '';
    const timestamp = /^\d+$/.test(tsText) ? Number(tsText) : NaN;
    if (!Number.isFinite(timestamp)) throw new SandboxError('MissingParameter', 'The X-TC-Timestamp header is missing or not an integer.');
    if (Math.abs(this.world.now() / 1000 - timestamp) > MAX_CLOCK_SKEW_S) {
      throw new SandboxError('AuthFailure.SignatureExpire', 'The signature has expired: X-TC-Timestamp is more than 5 minutes from server time.');
    }
    const account = this.accounts.get(secretId!);
    if (!account) throw new SandboxError('AuthFailure.SecretIdNotFound', 'The SecretId does not exist.');

    const names = signedHeaders!.split(';');
    const hostname = (header(req.headers, 'host') ?? '').replace(/:\d+$/, '').toLowerCase();
    const scopeOk = date === utcDate(timestamp) && (service === 'trtc' || service === hostname.split('.')[0]);
    const sorted = [...names].sort().join(';') === signedHeaders;
    if (!scopeOk || !sorted || !names.includes('content-type') || !names.includes('host')) {
      throw new SandboxError('AuthFailure.SignatureFailure', 'The signature does not match: check the credential scope and signed headers.');
    }
    const canonicalHeaders = names
      .map((n) => `${n}:${(n === 'host' ? hostname : header(req.headers, n) ?? '').trim().toLowerCase()}\n`)
      .join('');
    const expected = tc3SignatureOf({
      method: req.method,
      path: req.path,
      query: req.query,
      canonicalHeaders,
      signedHeaders: signedHeaders!,
      payloadHash: sha256Hex(req.body),
      timestamp,
      service: service!,
      secretKey: account.secretKey,
    }).signature;
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
      throw new SandboxError('AuthFailure.SignatureFailure', 'The signature does not match the request and SecretKey.');
    }
    if ((header(req.headers, 'x-tc-token') ?? undefined) !== account.token) {
      throw new SandboxError('AuthFailure.TokenFailure', 'The session token is missing or wrong for these credentials.');
    }
    return { account, timestamp };
  }

  /**
   * Counts by the signed X-TC-Timestamp, that is by when the client sent the request, so that delays between
   * client and sandbox (a busy test machine) cannot bunch requests that were sent at the documented rate.
   */
  private throttle(account: Account, def: ToolDef, timestamp: number): void {
    const key = `${account.secretId}:${def.name}`;
    let counter = this.limits.get(key);
    if (!counter) this.limits.set(key, (counter = new FixedWindowCounter(rateWindow(def.rateLimit * this.rateLimitScale))));
    if (!counter.hit(timestamp * 1000)) {
      throw new SandboxError('RequestLimitExceeded', `${def.name} allows ${def.rateLimit} requests per second.`);
    }
  }

  private appFor(account: Account, def: ToolDef, params: Record<string, unknown>) {
    const field = APP_FIELDS.find((f) => params[f] !== undefined);
    // Some task actions carry no SdkAppId: they act in the app that owns the task. Account-wide actions (voiceprints)
    // name no app at all: they act in the account's first app.
    const accountWide = !APP_FIELDS.some((f) => f in def.input.shape) && !('TaskId' in def.input.shape);
    const raw = field ? params[field] : accountWide ? this.firstApp(account) : this.world.tasks.ownerOf(params);
    const id = Number(raw);
    const app = this.world.apps.get(id);
    if (!app) {
      throw new SandboxError('UnauthorizedOperation.SdkAppId', `The sandbox has no app ${String(raw)}; its apps: ${[...this.world.apps.keys()].join(', ')}.`);
    }
    if (account.apps && !account.apps.has(id)) {
      throw new SandboxError('UnauthorizedOperation.SdkAppId', `These credentials have no access to SdkAppId ${String(raw)}.`);
    }
    return app;
  }

  private firstApp(account: Account): number | undefined {
    return [...this.world.apps.keys()].find((id) => !account.apps || account.apps.has(id));
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Checks parameters against the catalog's wire schema and answers with the codes the docs list for the action. */
export function checkParams(def: ToolDef, body: unknown): Record<string, any> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SandboxError('InvalidParameter', 'The request body must be a JSON object.');
  const result = strictWire(def).safeParse(body);
  const known = new Set(def.errors);
  const pick = (...codes: string[]) => codes.find((c) => known.has(c)) ?? codes[codes.length - 1]!;
  if (result.success) {
    // TRTC reads a RoomId by its RoomIdType: a name that is no number does not make a numeric room.
    const misfit = roomIdProblem(def.input, result.data);
    if (misfit) throw new SandboxError(pick('InvalidParameter.RoomId', 'InvalidParameter'), `The value of ${fieldPath(misfit.path)} is invalid: ${misfit.rule}.`);
    return result.data as Record<string, any>;
  }
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new SandboxError('UnknownParameter', `The parameter ${issue.keys.join(', ')} is not recognized.`);
  }
  const field = String(issue.path[0] ?? '');
  const leaf = String(issue.path.findLast((k) => typeof k === 'string') ?? field);
  const where = issue.path.join('.');
  // A member left out fails as a wrong type, or (for an enumeration) as a value not in it.
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && readAt(body, issue.path) === undefined;
  if (missing) throw new SandboxError(pick(`MissingParameter.${leaf}`, `MissingParameter.${field}`, 'MissingParameter'), `The required parameter ${where} is missing.`);
  if (issue.code === 'invalid_type') {
    throw new SandboxError(pick(`InvalidParameter.${field}`, 'InvalidParameter'), `The parameter ${where} must be ${issue.expected}.`);
  }
  const range = issue.code === 'too_big' || issue.code === 'too_small' ? ['InvalidParameter.OutOfRange'] : [];
  throw new SandboxError(
    pick(`InvalidParameterValue.${field}`, `InvalidParameter.${field}`, ...range, 'InvalidParameter', 'InvalidParameterValue'),
    `The value of ${where} is invalid: ${issue.message}.`,
  );
}

const strictCache = new WeakMap<ToolDef, z.ZodType>();
/** The wire schema with unknown keys rejected, as Tencent rejects unknown parameters. */
export function strictWire(def: ToolDef): z.ZodType {
  let s = strictCache.get(def);
  if (!s) strictCache.set(def, (s = def.input.strict()));
  return s;
}

