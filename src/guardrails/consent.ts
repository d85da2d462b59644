// Consent before destructive (or, by policy, any mutating) actions. The decision lives here, apart from any
// transport: the pipeline hands over what will happen and the session's channel to the human, and gets back whether
// the call may go ahead. Channels:
// - elicitation: the client asks its user and returns the answer. When a client offers it, it is the only way:
//   an answer that is not a clear, valid yes (wrong type, a failure, a timeout, an unknown action) is a refusal.
// - token: for clients that cannot ask their user, a preview and a single-use confirmation token that the agent
//   relays; the operator may turn this channel off (--consent-channel elicitation-only).
// Whatever carries it, consent binds what the human was shown (consentBinding): the tool, the app, the arguments,
// and the effect with its reason; it counts only for a call that, judged again when it is used, binds the same.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Effect, ToolDef } from '../../tools/define.js';
import { clipText, redact, redactText } from '../redact.js';
import { NS, StoreUnavailableError, type Store } from '../store/index.js';

export type ConsentPolicy = 'none' | 'destructive' | 'mutating';
/** Which channels may carry consent: elicitation where the client offers it and tokens elsewhere, or elicitation only. */
export type ConsentChannelSetting = 'auto' | 'elicitation-only';

export function needsConsent(effect: Effect, policy: ConsentPolicy): boolean {
  if (policy === 'none' || effect === 'read') return false;
  return policy === 'mutating' || effect === 'destructive';
}

/** What consent a call with this effect needs under the operator's policy, in the audit's words. */
export const consentNeeded = (policy: ConsentPolicy, effect: Effect): 'pending' | 'policy-off' | 'not-required' =>
  needsConsent(effect, policy) ? 'pending' : policy === 'none' && effect !== 'read' ? 'policy-off' : 'not-required';

/** A form question for the human, in the shape both protocol eras' elicitation carries. */
export interface ConsentQuestion {
  message: string;
  requestedSchema: {
    type: 'object';
    properties: Record<string, { type: 'string'; title?: string } | { type: 'boolean'; title?: string; default?: boolean }>;
    required?: string[];
  };
}

/** The human's answer as the client returns it; anything but a clear accept with valid content is a refusal. */
export interface ConsentAnswer {
  action: string;
  content?: Record<string, unknown>;
}

/**
 * How a session reaches its human. `binding` is consentBinding of what is asked: a channel that carries the answer
 * across requests (input_required) seals it, and hands an answer over only to a call that binds the same.
 */
export type ConsentChannel =
  | { kind: 'elicitation'; ask(params: ConsentQuestion, binding: string): Promise<ConsentAnswer> }
  | { kind: 'token' };

/**
 * Thrown by an elicitation channel that cannot wait for the answer: on the 2026-07-28 protocol the question travels
 * in the call's own result (input_required), so the call ends here, having sent nothing, and the answer arrives with
 * the client's retry of the same call.
 */
export class AskThroughResult extends Error {
  constructor(readonly params: ConsentQuestion, readonly binding: string) {
    super('consent is asked through the result of the call');
  }
}

/** What consent is given to: the call, and what it does as the human is shown it. */
export interface ConsentSubject {
  tool: string;
  app: number | undefined;
  /** The validated arguments. */
  args: Record<string, unknown>;
  /** The call's effect, judged from these arguments and the ledger (effect.ts). */
  effect: Effect;
  /** Why the effect is what it is, as the human reads it after "Effect: ..."; absent for the tool's usual effect. */
  reason?: string;
  /** Who asked, when a person (an OAuth subject) rather than the operator: the consent is theirs only. */
  by?: string;
}

/** What the human is asked to allow. */
export interface ConsentRequest extends ConsentSubject {
  /** What will happen, rendered by describeIntent. */
  intent: string;
  /** A value the human types back (for example the room to dismiss); else they tick a box. */
  typed?: string;
}

/**
 * What consent binds, as one canonical text: the tool, the app, the canonical arguments, the effect with its reason
 * as the human was shown them, and who asked (when a person did). Every carrier of consent (confirmation tokens, the 2026-07-28 requestState,
 * approvals given outside the agent) MACs this text when the human is asked, and again when the consent is used,
 * with the effect judged afresh: if anything differs, what the human agreed to is not what would run, and the
 * consent does not count (the call asks again).
 */
export function consentBinding(s: ConsentSubject): string {
  return canonicalJson({ v: 1, tool: s.tool, app: s.app ?? null, args: s.args, effect: s.effect, reason: s.reason ?? null, by: s.by ?? null });
}

export type ConsentDecision =
  | { granted: true; how: 'elicitation' | 'token' }
  | {
      granted: false;
      /** For the audit: how consent stopped (awaiting-token, elicitation-declined...). */
      how: string;
      outcome: string;
      message: string;
      confirmation?: { token: string; expiresAt: string };
    };

/** JSON with object keys sorted, so equal arguments always give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type Redemption = 'ok' | 'malformed' | 'mismatch' | 'expired' | 'spent';

/**
 * A single-use record (a spent token or requestState, an approval) is kept this much longer than its validity window:
 * every process judges that window by its own clock, while Redis expires the record by its own, so a process whose
 * clock runs behind the one that spent it could otherwise accept it again once the record is gone. Replicas whose
 * clocks differ by less than this cannot.
 */
export const CLOCK_SKEW_MARGIN_MS = 10 * 60_000;

/** Until when a single-use record whose validity ends at `validUntilMs` (by this process's clock) must be kept. */
export const spentUntil = (validUntilMs: number) => validUntilMs + CLOCK_SKEW_MARGIN_MS;

/**
 * Tokens are `c2.<expiry>.<nonce>.<mac>`, the MAC over consentBinding. Checking one needs only the key, so tokens work
 * across restarts and replicas that share it; spending one is a claim in the store, which every process sharing the
 * store sees, so a token works once across all of them and across restarts.
 */
export class ConfirmationTokens {
  constructor(
    private readonly key: Buffer,
    private readonly ttlSeconds: number,
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  issue(subject: ConsentSubject): { token: string; expiresAt: Date } {
    const expiry = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const nonce = randomBytes(9).toString('base64url');
    return { token: `c2.${expiry}.${nonce}.${this.mac(expiry, nonce, subject)}`, expiresAt: new Date(expiry * 1000) };
  }

  /** `subject` is the call as it would run now, its effect judged again: a token given for anything else is a mismatch. */
  async redeem(token: string, subject: ConsentSubject): Promise<Redemption> {
    const m = /^c2\.(\d{1,12})\.([\w-]{12})\.([\w-]{32})$/.exec(token);
    if (!m) return 'malformed';
    const [, expiryText, nonce, mac] = m as unknown as [string, string, string, string];
    const expiry = Number(expiryText);
    const want = Buffer.from(this.mac(expiry, nonce, subject));
    if (!timingSafeEqual(want, Buffer.from(mac))) return 'mismatch';
    if (this.now() / 1000 > expiry) return 'expired';
    return (await this.store.claim(NS.spentTokens, `${nonce}.${mac}`, spentUntil(expiry * 1000))) ? 'ok' : 'spent';
  }

  private mac(expiry: number, nonce: string, subject: ConsentSubject): string {
    return createHmac('sha256', this.key).update(`c2\n${expiry}\n${nonce}\n${consentBinding(subject)}`).digest('base64url').slice(0, 32);
  }
}

export const REDEMPTION_PROBLEM: Record<Exclude<Redemption, 'ok'>, string> = {
  malformed: 'is not a confirmation token',
  mismatch: 'does not match this call as it would run now (the tool, the app, these exact arguments, or what the call does: its effect and why, which may have changed since the user approved it), or was issued to someone else',
  expired: 'has expired',
  spent: 'was already used',
};

/** Whether the session's human may consent: the decision, whatever carries the question. */
export async function decideConsent(
  tokens: ConfirmationTokens,
  setting: ConsentChannelSetting,
  request: ConsentRequest,
  channel: ConsentChannel,
  presentedToken: string | undefined,
): Promise<ConsentDecision> {
  const refuse = (how: string, outcome: string, message: string): ConsentDecision => ({ granted: false, how, outcome, message });

  if (channel.kind === 'elicitation') {
    // The user is right there: a token (from this session or any other) cannot stand in for them.
    if (presentedToken !== undefined) {
      return refuse(
        'token-refused', 'refused:consent',
        'Refused: this client can ask its user directly, so confirmation tokens are not accepted in this session; nothing was sent. Call again without confirmationToken and the user will be asked.',
      );
    }
    const answer = await askHuman(channel, request);
    if (answer === 'accepted') return { granted: true, how: 'elicitation' };
    return refuse(`elicitation-${answer}`, answer === 'declined' || answer === 'cancelled' ? 'declined' : 'refused:consent', `${NO_CONSENT[answer]}; nothing was sent.`);
  }

  if (setting === 'elicitation-only') {
    return refuse(
      'no-channel', 'refused:consent',
      `Refused: ${request.tool} needs the user's consent, and this server takes it only from the user through elicitation (--consent-channel elicitation-only), which this client does not offer; nothing was sent. Use a client that supports elicitation, or ask the operator.`,
    );
  }
  let lead = '';
  if (presentedToken !== undefined) {
    const redeemed = await tokens.redeem(presentedToken, request);
    if (redeemed === 'ok') return { granted: true, how: 'token' };
    lead = `The confirmationToken ${REDEMPTION_PROBLEM[redeemed]}. `;
  }
  const { token, expiresAt } = tokens.issue(request);
  return {
    granted: false,
    how: 'awaiting-token',
    outcome: 'confirmation-required',
    // The next step comes first: clients that show this result as an error still lead the human to the decision.
    message:
      `${lead}Ask the user to approve this ${request.effect} action, showing them what it does (below). If they agree, call ${request.tool} again ` +
      `with exactly the same arguments plus "confirmationToken": "${token}" (single use, valid until ${expiresAt.toISOString()}); if they do not, leave it.\n` +
      `Confirmation required; nothing was sent.\n${request.intent}`,
    confirmation: { token, expiresAt: expiresAt.toISOString() },
  };
}

/** JSON-RPC codes of a failed elicitation, as numbers: importing the SDK's table would load its schemas wherever consent is decided. */
const REQUEST_TIMEOUT = -32001;
const INVALID_PARAMS = -32602;

type HumanAnswer = 'accepted' | 'declined' | 'cancelled' | 'mismatch' | 'invalid' | 'timeout' | 'failed';

const NO_CONSENT: Record<Exclude<HumanAnswer, 'accepted'>, string> = {
  declined: 'The user declined',
  cancelled: 'The user cancelled the request',
  mismatch: 'The user did not type the confirmation value',
  invalid: 'Refused: the answer to the consent question was not a valid yes',
  timeout: 'Refused: the user did not answer the consent question in time',
  failed: 'Refused: the client could not ask the user for consent',
};

/**
 * Asks the human. When the request names a value to type back, they must type it exactly; otherwise they tick a box.
 * Only an "accept" whose content is exactly that value (or exactly true) counts.
 */
async function askHuman(channel: Extract<ConsentChannel, { kind: 'elicitation' }>, request: ConsentRequest): Promise<HumanAnswer> {
  const { typed } = request;
  const message = redactText(`Allow this ${request.effect} action?\n${request.intent}${typed !== undefined ? `\nType ${quote(typed)} to confirm.` : ''}`);
  const requestedSchema = typed !== undefined
    ? { type: 'object', properties: { confirm: { type: 'string', title: `Type ${quote(typed)} to confirm` } }, required: ['confirm'] }
    : { type: 'object', properties: { confirm: { type: 'boolean', title: 'Proceed', default: false } }, required: ['confirm'] };
  let result: ConsentAnswer;
  try {
    result = await channel.ask({ message, requestedSchema } as ConsentQuestion, consentBinding(request));
  } catch (err) {
    // The store being away is no answer of the human's: the pipeline refuses the call for it.
    if (err instanceof AskThroughResult || err instanceof StoreUnavailableError) throw err;
    const code = (err as { code?: number }).code;
    return code === REQUEST_TIMEOUT ? 'timeout' : code === INVALID_PARAMS ? 'invalid' : 'failed';
  }
  if (result.action === 'decline') return 'declined';
  if (result.action === 'cancel') return 'cancelled';
  if (result.action !== 'accept') return 'invalid';
  const content = result.content;
  if (!content || typeof content !== 'object' || Object.keys(content).some((k) => k !== 'confirm')) return 'invalid';
  const answer = content.confirm;
  if (typed !== undefined) {
    if (typeof answer !== 'string') return 'invalid';
    return answer.trim() === typed ? 'accepted' : 'mismatch';
  }
  if (typeof answer !== 'boolean') return 'invalid';
  return answer ? 'accepted' : 'declined';
}

// --- What the human sees ---

/** Free text longer than this is shortened; identifiers never are. */
const LONG_TEXT = 120;
const SHOWN_TEXT = 80;
/** Members whose values name a target: shown in full, however long. */
const IDENTIFIER = /(?:Id|Ids|IdList|Account|Accounts|Index|Url)$/;
/** Characters that could break a line, hide text or reorder it on screen. JSON.stringify escapes C0 controls already. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/** A string as a quoted literal with every control, line break and invisible or reordering character escaped. */
export function quote(s: string): string {
  return JSON.stringify(s).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const keyText = (k: string) => (/^[A-Za-z0-9_]+$/.test(k) ? k : quote(k));

function valueText(v: unknown, identifier: boolean): string {
  if (typeof v === 'string') {
    if (identifier || v.length <= LONG_TEXT) return quote(v);
    return `${quote(clipText(v, SHOWN_TEXT).text)}… (${v.length} characters, sha256 ${digest(v)})`;
  }
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

/** One line per leaf, under its dotted path; arrays of plain values on one line. */
function lines(value: unknown, path: string, identifier: boolean, out: string[]): void {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    out.push(`  ${path}: [${value.map((v) => valueText(v, identifier)).join(', ')}]`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => lines(v, `${path}[${i}]`, identifier, out));
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) out.push(`  ${path}: {}`);
    for (const [k, v] of entries) lines(v, path ? `${path}.${keyText(k)}` : keyText(k), IDENTIFIER.test(k), out);
  } else out.push(`  ${path}: ${valueText(value, identifier)}`);
}

/**
 * What will happen, stated so that it cannot mislead: the tool, app, effect and why, and every argument on its own
 * line. Values are quoted and escaped (no value can pass for a line of the server's own), identifiers are shown in
 * full, long free text is shortened with its length and a digest, and secrets are masked before anything is cut.
 */
export function describeIntent(def: ToolDef, app: number | undefined, args: Record<string, unknown>, effect: Effect, why?: string): string {
  const out = [`${def.name}${app !== undefined ? ` on app ${app}` : ''}: ${def.description}`, `Effect: ${effect}${why ? `: ${why}` : ''}`];
  const shown = redact(args);
  for (const [k, v] of Object.entries(shown)) lines(v, keyText(k), IDENTIFIER.test(k) || k === def.confirmField, out);
  return out.join('\n');
}

/** A client's elicitation capability, in either era's words. */
export type ElicitationCapability = { elicitation?: { form?: object; url?: object } };

/** Form elicitation: declared as such, or a bare `elicitation: {}` (its meaning before modes existed). */
export const canFillForms = (caps: ElicitationCapability | undefined): boolean =>
  caps?.elicitation !== undefined && (caps.elicitation.form !== undefined || caps.elicitation.url === undefined);
