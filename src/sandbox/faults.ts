// Fault injection: the sandbox can misbehave the ways a real network and service do, so tests can prove that
// reads recover, writes are never duplicated, and every failure reaches the agent clearly.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';

export const FAULT_KINDS = ['http5xx', 'timeout', 'rate-limit', 'malformed', 'reset', 'drop-after', 'slow', 'replay'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Only requests for this action or command; any request when omitted. */
  action?: string;
  /** How many requests it hits (default 1). */
  times?: number;
  /** For timeout and slow: how long to hold the request (default 60 s and 200 ms). */
  delayMs?: number;
  /** For replay: the JSON body to answer with, as it is (for example a documented example response). */
  body?: unknown;
}

export class Faults {
  private readonly pending: Array<Required<Omit<FaultSpec, 'action' | 'body'>> & Pick<FaultSpec, 'action' | 'body'>> = [];

  inject(spec: FaultSpec): void {
    if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`unknown fault kind ${spec.kind}`);
    if (spec.kind === 'replay' && spec.body === undefined) throw new Error('a replay fault needs the body to answer with');
    this.pending.push({ times: 1, delayMs: spec.kind === 'timeout' ? 60_000 : 200, ...spec });
  }

  clear(): void {
    this.pending.length = 0;
  }

  list(): FaultSpec[] {
    return this.pending.map((f) => ({ ...f }));
  }

  /** The next fault for this request, if any (consuming one of its hits). */
  take(action: string | undefined): (FaultSpec & { delayMs: number }) | undefined {
    const i = this.pending.findIndex((f) => !f.action || f.action === action);
    if (i < 0) return undefined;
    const f = this.pending[i]!;
    if (--f.times <= 0) this.pending.splice(i, 1);
    return { ...f };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Answers a request under a fault. `process` runs the request for real; only 'drop-after' (the service acts,
 * then the answer is lost) and 'slow' call it. Returns the code to record for the request, and the RequestId
 * of its answer when it has one (a rate limit's too), so tests can look for it in what reaches the agent.
 */
export async function serveFault(
  fault: FaultSpec & { delayMs: number },
  res: http.ServerResponse,
  process: () => { body: unknown; code: string; requestId: string },
  api: 'cloud' | 'rest' = 'cloud',
): Promise<{ code: string; requestId?: string }> {
  switch (fault.kind) {
    case 'http5xx':
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
      break;
    case 'timeout':
      await sleep(fault.delayMs);
      res.destroy();
      break;
    case 'rate-limit': {
      const RequestId = randomUUID();
      const message = 'Too many requests; slow down.';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(
        api === 'rest'
          ? { ActionStatus: 'FAIL', ErrorCode: 60007, ErrorInfo: message, RequestId }
          : { Response: { Error: { Code: 'RequestLimitExceeded', Message: message }, RequestId } },
      ));
      return { code: 'fault:rate-limit', requestId: RequestId };
    }
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"Response": {"RequestId": "');
      break;
    case 'reset':
      res.socket?.resetAndDestroy?.() ?? res.destroy();
      break;
    case 'drop-after': {
      // The service acted and answered, but the answer (and its RequestId) never arrives.
      const { code, requestId } = process();
      res.socket?.resetAndDestroy?.() ?? res.destroy();
      return { code: `fault:drop-after:${code}`, requestId };
    }
    case 'replay': {
      // The request is not processed: the answer is the given body, whatever was asked.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fault.body));
      const body = fault.body as { Response?: { RequestId?: unknown }; RequestId?: unknown } | null;
      const requestId = body?.Response?.RequestId ?? body?.RequestId;
      return { code: 'fault:replay', requestId: typeof requestId === 'string' ? requestId : undefined };
    }
    case 'slow': {
      await sleep(fault.delayMs);
      const { body, code, requestId } = process();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return { code, requestId };
    }
  }
  return { code: `fault:${fault.kind}` };
}
