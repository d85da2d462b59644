// Consent on the 2026-07-28 protocol, where a server cannot push a question to the client: the call that needs the
// human's consent ends with an input_required result carrying the same form a pushed elicitation would, plus a
// sealed requestState, and the client retries the call with the human's answer. This is an elicitation channel for
// the pipeline, nothing more: what is asked and how the answer is judged stay in consent.ts.
//
// The requestState is HMAC-sealed (the SDK's codec) and expires with the confirmation tokens' TTL. It binds the
// caller, the called tool and the canonical JSON of its arguments (checked before anything runs, so a state moved
// to another call is refused at once), and what the human consented to: consentBinding (consent.ts) of the call as
// it was asked, effect and reason included. An answer counts only for a call whose binding, judged again on the
// retry, is the same; otherwise the human is asked again. It works once: the store claims it, so a replay fails on
// every process that shares the store.
import { createHmac, randomBytes } from 'node:crypto';
import { createRequestStateCodec, inputRequired, inputResponse, type InputRequiredResult } from '@modelcontextprotocol/server';
import type { ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { NS, StoreUnavailableError } from '../store/store.js';
import { AskThroughResult, canonicalJson, spentUntil, type ConsentChannel } from '../guardrails/consent.js';
import { protocolError } from './core.js';
import type { ServerContext } from './pipeline.js';

/** How the pipeline asks its human (see consent.ts). */
type Ask = Extract<ConsentChannel, { kind: 'elicitation' }>['ask'];

/** The key under which the consent form travels in inputRequests and its answer comes back in inputResponses. */
export const CONSENT_INPUT = 'consent';

interface Sealed {
  /** Nonce: what the store claims. */
  n: string;
  /** Binding to caller, tool and arguments (an HMAC, so that the client learns nothing from it). */
  b: string;
  /** Binding to caller and what the human consented to (an HMAC of consentBinding). */
  c: string;
}

/** One tools/call as the edge sees it: who calls, what, with which arguments. */
export interface CallSubject {
  caller: string;
  tool: string;
  args: unknown;
}

export interface ConsentRound {
  /** How the pipeline asks its human in this request. */
  elicit: Ask;
  /** Ends the call by asking: the result carries the form and a fresh requestState sealing `binding`. */
  ask(params: ElicitRequest['params'], binding: string): Promise<InputRequiredResult>;
}

/** A -32602 that names the field and the rules; which rule failed goes to the server's log only. */
const invalidState = (tool: string) =>
  protocolError(
    -32602,
    `Invalid requestState: it must be one this server issued for this caller and this very call (${tool} with the same arguments), unaltered, unexpired and not used before. Nothing was sent. Call ${tool} again without it to ask the user again.`,
    { reason: 'invalid_request_state' },
  );

export class InputRequiredConsent {
  private readonly codec;
  private readonly ttlSeconds: number;

  constructor(private readonly ctx: ServerContext) {
    this.ttlSeconds = ctx.config.confirmTtl;
    this.codec = createRequestStateCodec<Sealed>({ key: ctx.requestStateKey, ttlSeconds: this.ttlSeconds });
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.ctx.requestStateKey).update(text).digest('base64url').slice(0, 22);
  }

  private bind(s: CallSubject): string {
    return this.hmac(`bind\n${s.caller}\n${s.tool}\n${canonicalJson(s.args ?? {})}`);
  }

  private consented(caller: string, binding: string): string {
    return this.hmac(`consent\n${caller}\n${binding}`);
  }

  /**
   * Opens the consent channel for one request. With a requestState (a retry) it is verified and spent first: a bad
   * one rejects the whole request, before anything runs. The returned Elicit hands the pipeline the human's answer
   * when it answers the very form the pipeline asks now; otherwise (first round, no answer, another question) it
   * ends the call and asks. A state that could not be spent because the store is away is refused by the pipeline
   * when it asks (refused:store, with an audit record), and stays unspent for a retry once the store is back.
   */
  async open(subject: CallSubject, state: unknown, responses: unknown): Promise<ConsentRound> {
    let answered: string | undefined;
    let unspendable: StoreUnavailableError | undefined;
    if (state !== undefined) {
      try {
        answered = (await this.verify(subject, state)).c;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        unspendable = err;
      }
    }
    const ask = async (params: ElicitRequest['params'], binding: string): Promise<InputRequiredResult> => {
      const sealed: Sealed = { n: randomBytes(12).toString('base64url'), b: this.bind(subject), c: this.consented(subject.caller, binding) };
      return inputRequired({
        inputRequests: { [CONSENT_INPUT]: inputRequired.elicit(params as Parameters<typeof inputRequired.elicit>[0]) },
        requestState: await this.codec.mint(sealed),
      }) as InputRequiredResult;
    };
    const elicit: Ask = async (params, binding) => {
      if (unspendable) throw unspendable;
      const answer = inputResponse(responses as Parameters<typeof inputResponse>[0], CONSENT_INPUT);
      // An answer about another action (the effect or its reason changed since) is no answer: ask about this one.
      if (answered === undefined || answered !== this.consented(subject.caller, binding) || answer.kind !== 'elicit') throw new AskThroughResult(params, binding);
      return { action: answer.action, ...(answer.content && { content: answer.content as Record<string, string | number | boolean> }) };
    };
    return { elicit, ask };
  }

  private async verify(subject: CallSubject, state: unknown): Promise<Sealed> {
    const refuse = (why: string) => {
      this.ctx.log.warn('requestState refused', { tool: subject.tool, why });
      return invalidState(subject.tool);
    };
    if (typeof state !== 'string') throw refuse('not a string');
    let sealed: Sealed;
    try {
      sealed = await this.codec.verify(state, undefined as never);
    } catch (err) {
      // The codec's reasons: malformed, mac (altered or not ours), expired.
      throw refuse((err as Error).message);
    }
    if (sealed.b !== this.bind(subject)) throw refuse('issued for another caller, tool or arguments');
    // Throws StoreUnavailableError while the store is away (see open).
    const first = await this.ctx.store.claim(NS.spentRequestStates, sealed.n, spentUntil(Date.now() + (this.ttlSeconds + 1) * 1000));
    if (!first) throw refuse('already used');
    return sealed;
  }
}
