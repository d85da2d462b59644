// The audit trail: one JSON line per write attempt, whatever its outcome. Appended synchronously so that
// nothing is lost if the process dies right after; secrets are redacted like everywhere else.
import { openSync, writeSync } from 'node:fs';
import { redact } from '../redact.js';

export interface AuditRecord {
  tool: string;
  api: string;
  effect: string;
  app?: number;
  args: Record<string, unknown>;
  outcome: string;
  requestId?: string;
  /** How consent was obtained: not-required, elicitation, token, policy-off; or why the call stopped. */
  consent: string;
  ms: number;
}

export class AuditLog {
  private readonly fd: number;

  /** Appends to `path`, or to stderr when no path is configured. */
  constructor(path: string | undefined) {
    this.fd = path ? openSync(path, 'a', 0o600) : 2;
  }

  record(r: AuditRecord): void {
    writeSync(this.fd, `${JSON.stringify({ time: new Date().toISOString(), type: 'audit', ...redact(r) })}\n`);
  }
}
