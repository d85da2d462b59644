// Consent before destructive (or, by policy, any mutating) actions: ask the human through elicitation where
// the client can, else a two-step confirmation with a stateless, single-use token that works in every client.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Effect, ToolDef } from '../../tools/define.js';

export type ConsentPolicy = 'none' | 'destructive' | 'mutating';

export function needsConsent(effect: Effect, policy: ConsentPolicy): boolean {
  if (policy === 'none' || effect === 'read') return false;
  return policy === 'mutating' || effect === 'destructive';
}

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
 * Tokens are `c1.<expiry>.<nonce>.<mac>`, the MAC binding tool, app and canonical arguments. Nothing is stored
 * to check one, so they survive restarts and work across replicas that share the key; each process remembers
 * the tokens it has accepted until they expire, so a token works once.
 */
export class ConfirmationTokens {
  private readonly spent = new Map<string, number>();

  constructor(private readonly key: Buffer, private readonly ttlSeconds: number, private readonly now: () => number = Date.now) {}

  issue(tool: string, app: number | undefined, args: unknown): { token: string; expiresAt: Date } {
    const expiry = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const nonce = randomBytes(9).toString('base64url');
    return { token: `c1.${expiry}.${nonce}.${this.mac(expiry, nonce, tool, app, args)}`, expiresAt: new Date(expiry * 1000) };
  }

  redeem(token: string, tool: string, app: number | undefined, args: unknown): Redemption {
    const m = /^c1\.(\d{1,12})\.([\w-]{12})\.([\w-]{32})$/.exec(token);
    if (!m) return 'malformed';
    const [, expiryText, nonce, mac] = m as unknown as [string, string, string, string];
    const expiry = Number(expiryText);
    const want = Buffer.from(this.mac(expiry, nonce, tool, app, args));
    if (!timingSafeEqual(want, Buffer.from(mac))) return 'mismatch';
    const nowS = this.now() / 1000;
    if (nowS > expiry) return 'expired';
    for (const [t, exp] of this.spent) if (exp < nowS) this.spent.delete(t);
    if (this.spent.has(token)) return 'spent';
    this.spent.set(token, expiry);
    return 'ok';
  }

  private mac(expiry: number, nonce: string, tool: string, app: number | undefined, args: unknown): string {
    return createHmac('sha256', this.key)
      .update(`c1\n${expiry}\n${nonce}\n${tool}\n${app ?? ''}\n${canonicalJson(args)}`)
      .digest('base64url')
      .slice(0, 32);
  }
}

export const REDEMPTION_PROBLEM: Record<Exclude<Redemption, 'ok'>, string> = {
  malformed: 'is not a confirmation token',
  mismatch: 'does not match this tool, app and these exact arguments (were they changed?)',
  expired: 'has expired',
  spent: 'was already used',
};

/** What will happen, stated exactly: tool, app, effect and every argument. */
export function describeIntent(def: ToolDef, app: number | undefined, args: Record<string, unknown>): string {
  const lines = [`${def.name}${app !== undefined ? ` on app ${app}` : ''}: ${def.description}`];
  for (const [k, v] of Object.entries(args)) {
    const shown = typeof v === 'string' ? v : JSON.stringify(v);
    lines.push(`  ${k}: ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`);
  }
  return lines.join('\n');
}

export type Elicit = (params: ElicitRequest['params']) => Promise<ElicitResult>;

/**
 * Thrown by an Elicit that cannot wait for the answer: on the 2026-07-28 protocol the question travels in the
 * call's own result (input_required), so the call ends here, having sent nothing, and the answer arrives with the
 * client's retry of the same call.
 */
export class AskThroughResult extends Error {
  constructor(readonly params: ElicitRequest['params']) {
    super('consent is asked through the result of the call');
  }
}

export type HumanAnswer = 'accepted' | 'declined' | 'cancelled' | 'mismatch' | 'unavailable';

/**
 * Asks the human. When the definition names a `confirmField`, they must type its value back
 * (for example the ID of the room to dismiss); otherwise they tick a box.
 */
export async function askHuman(elicit: Elicit | undefined, def: ToolDef, intent: string, args: Record<string, unknown>): Promise<HumanAnswer> {
  if (!elicit) return 'unavailable';
  const typed = def.confirmField !== undefined ? String(args[def.confirmField]) : undefined;
  const message = `Allow this ${def.effect} action?\n${intent}${typed !== undefined ? `\nType ${typed} to confirm.` : ''}`;
  const requestedSchema = typed !== undefined
    ? { type: 'object', properties: { confirm: { type: 'string', title: `Type ${typed} to confirm` } }, required: ['confirm'] }
    : { type: 'object', properties: { confirm: { type: 'boolean', title: 'Proceed', default: false } }, required: ['confirm'] };
  let result: ElicitResult;
  try {
    result = await elicit({ message, requestedSchema } as ElicitRequest['params']);
  } catch (err) {
    if (err instanceof AskThroughResult) throw err;
    return 'unavailable';
  }
  if (result.action === 'decline') return 'declined';
  if (result.action === 'cancel') return 'cancelled';
  const answer = result.content?.confirm;
  if (typed !== undefined) return String(answer ?? '').trim() === typed ? 'accepted' : 'mismatch';
  return answer === true ? 'accepted' : 'declined';
}
