// The sandbox's IM-style REST endpoint (`POST /v4/{service}/{command}?sdkappid&identifier&usersig&random&contenttype=json`):
// it verifies the admin UserSig as Tencent does, checks the body against the catalog, and answers in the
// ActionStatus/ErrorCode envelope with the documented codes, always with HTTP 200.
import { randomBytes } from 'node:crypto';
import type { ToolDef } from '../../tools/define.js';
import { roomIdProblem } from '../../tools/room-id.js';
import { FixedWindowCounter, rateWindow } from '../rate-limit.js';
import { verifyUserSig, type UserSigCheck } from '../signing/usersig.js';
import { describeIssues, fieldPath, readAt } from '../validation.js';
import { strictWire } from './cloud.js';
import type { RestHandler } from './handlers/rest-common.js';
import { SandboxError } from './handlers/types.js';
import type { RestState } from './rest-state.js';
import type { World } from './world.js';

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface RestOutcome {
  /** service/command, when the path names one. */
  action?: string;
  /** The ErrorCode answered, as text ("0" on success). */
  code: string;
  requestId: string;
  body: Record<string, unknown>;
}

/** How Tencent answers each way a UserSig can fail verification. */
const USERSIG_CODES: Record<Exclude<UserSigCheck, { ok: true }>['reason'], string> = {
  malformed: '70003',
  sdkappid: '70014',
  identifier: '70013',
  expired: '70001',
  signature: '70009',
};

/** The invalid-parameter code of each product; the call services have their own range. */
const invalidCode = (service: string) => (service.startsWith('call_') ? '101002' : '100002');

export class RestProtocol {
  private seq = 0;
  private readonly limits = new Map<string, FixedWindowCounter>();

  constructor(
    private readonly world: World,
    private readonly state: RestState,
    private readonly commands: ReadonlyMap<string, ToolDef>,
    private readonly handlers: Readonly<Record<string, RestHandler>>,
    private readonly rateLimitScale = 1,
  ) {}

  handle(req: RestRequest): RestOutcome {
    const requestId = `Id-${randomBytes(16).toString('hex')}-O-Seq-${++this.seq}`;
    const m = /^\/v4\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)$/.exec(req.path);
    const action = m ? `${m[1]}/${m[2]}` : undefined;
    try {
      const data = this.process(req, action);
      return { action, code: '0', requestId, body: { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, RequestId: requestId, ...data } };
    } catch (err) {
      const e = err instanceof SandboxError ? err : new SandboxError('70500', 'The sandbox failed unexpectedly.');
      return { action, code: e.code, requestId, body: { ActionStatus: 'FAIL', ErrorInfo: e.message, ErrorCode: Number(e.code), RequestId: requestId } };
    }
  }

  private process(req: RestRequest, command: string | undefined): Record<string, unknown> {
    if (req.method !== 'POST') throw new SandboxError('60002', 'REST APIs accept POST requests only.');
    const def = command ? this.commands.get(command) : undefined;
    if (!def || def.api.kind !== 'rest') throw new SandboxError('60009', `There is no REST API at ${req.path}.`);
    const q = req.query;
    if (q.get('contenttype') !== 'json') throw new SandboxError('60002', 'The query parameter contenttype must be json.');
    const random = q.get('random') ?? '';
    if (!/^\d{1,10}$/.test(random) || Number(random) > 0xffffffff) {
      throw new SandboxError('60002', 'The query parameter random must be a 32-bit unsigned integer.');
    }
    const appText = q.get('sdkappid');
    if (!appText) throw new SandboxError('60012', 'The query parameter sdkappid is missing.');
    if (!/^\d+$/.test(appText)) throw new SandboxError('60006', `sdkappid ${appText} is not a valid SDKAppID.`);
    const app = this.world.apps.get(Number(appText));
    if (!app) throw new SandboxError('70020', `SDKAppID ${appText} does not exist.`);
    const identifier = q.get('identifier');
    if (!identifier) throw new SandboxError('60004', 'The query parameter identifier is missing.');
    const usersig = q.get('usersig');
    if (!usersig) throw new SandboxError('70002', 'The UserSig is empty.');
    const check = verifyUserSig(usersig, { sdkAppId: app.sdkAppId, secretKey: app.sdkSecretKey, userId: identifier, now: this.world.now() });
    if (!check.ok) throw new SandboxError(USERSIG_CODES[check.reason], userSigProblem(check));
    if (!this.state.admins.has(identifier)) throw new SandboxError('60010', `${identifier} is not an admin account of app ${app.sdkAppId}.`);
    this.throttle(app.sdkAppId, def);

    const text = req.body.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SandboxError('60003', text ? 'The request body is not valid JSON.' : 'The request body is empty; send {} when there are no parameters.');
    }
    const params = checkRestParams(def, body);
    const handler = this.handlers[command!];
    if (!handler) throw new SandboxError(invalidCode(def.api.service), `The sandbox does not emulate ${command} yet.`);
    return handler({ world: this.world, app, rest: this.state, state: this.state.of(app), admin: identifier, params });
  }

  private throttle(sdkAppId: number, def: ToolDef): void {
    const key = `${sdkAppId}:${def.name}`;
    let counter = this.limits.get(key);
    if (!counter) this.limits.set(key, (counter = new FixedWindowCounter(rateWindow(def.rateLimit * this.rateLimitScale))));
    if (!counter.hit(this.world.now())) throw new SandboxError('60007', `${def.name} allows ${def.rateLimit} requests per second.`);
  }
}

function userSigProblem(check: Exclude<UserSigCheck, { ok: true }>): string {
  const c = check.claims;
  switch (check.reason) {
    case 'malformed': return 'The UserSig cannot be decoded.';
    case 'sdkappid': return `The UserSig was issued for SDKAppID ${c?.sdkAppId}, not the one in the URL.`;
    case 'identifier': return `The UserSig was issued for ${c?.userId}, not the identifier in the URL.`;
    case 'expired': return `The UserSig expired at ${new Date(((c?.time ?? 0) + (c?.expire ?? 0)) * 1000).toISOString()}.`;
    case 'signature': return "The UserSig's signature does not match the app's secret key.";
  }
}

/**
 * Checks the body against the catalog's wire schema. A user ID of the wrong type gets 60015, as the common
 * codes say; anything else gets the product's invalid-parameter code, naming every field and its rule.
 */
export function checkRestParams(def: ToolDef, body: unknown): Record<string, any> {
  if (def.api.kind !== 'rest') throw new Error(`${def.name} is not a REST command`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SandboxError('60003', 'The request body must be a JSON object.');
  const result = strictWire(def).safeParse(body);
  if (result.success) {
    const misfit = roomIdProblem(def.input, result.data);
    if (misfit) throw new SandboxError(invalidCode(def.api.service), `${fieldPath(misfit.path)}: ${misfit.rule}`);
    return result.data as Record<string, any>;
  }
  const accountType = result.error.issues.find(
    (i) => i.code === 'invalid_type' && readAt(body, i.path) !== undefined && i.path.some((k) => typeof k === 'string' && k.endsWith('_Account')),
  );
  if (accountType) throw new SandboxError('60015', `${describeIssues([accountType], body)[0]}: user IDs are strings.`);
  throw new SandboxError(invalidCode(def.api.service), describeIssues(result.error.issues, body).join('; '));
}
