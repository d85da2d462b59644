// The audit trail: one JSON line per write attempt, whatever its outcome. Appended synchronously so that
// nothing is lost if the process dies right after; secrets are redacted like everywhere else, and each line is
// capped, saying what it left out. Each replica keeps its own trail, and each record names the replica.
import { openSync, writeSync } from 'node:fs';
import { safeJson } from '../log.js';
import { redact } from '../redact.js';
import type { whoRecord } from './identity.js';

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
  /** Who asked (never a credential). */
  by: ReturnType<typeof whoRecord>;
}

/** The longest audit line, in bytes: a call with a huge argument (200,000 user IDs) must not make a huge record. */
export const MAX_AUDIT_LINE_BYTES = 8 * 1024;

export class AuditLog {
  private readonly fd: number;

  /** Appends to `path`, or to stderr when no path is configured; `replica` names this process in every record. */
  constructor(path: string | undefined, private readonly replica: string) {
    this.fd = path ? openSync(path, 'a', 0o600) : 2;
  }

  record(r: AuditRecord): void {
    writeSync(this.fd, `${auditLine({ time: new Date().toISOString(), type: 'audit', ...redact(r), replica: this.replica })}\n`);
  }
}

const bytes = (text: string) => Buffer.byteLength(text);

/** Describes a value that was left out: its kind, its size, and how much JSON it took. */
function sizeOf(value: unknown, json: string): string {
  const kind = Array.isArray(value) ? `${value.length} items` : typeof value === 'string' ? `${value.length} characters` : value && typeof value === 'object' ? `${Object.keys(value).length} members` : typeof value;
  return `${kind}, ${bytes(json)} bytes`;
}

/**
 * The record as one JSON line within MAX_AUDIT_LINE_BYTES. Arguments are kept whole while they fit, largest last;
 * each one left out is named in `cut` with its size.
 */
export function auditLine(record: Record<string, unknown> & { args: Record<string, unknown> }): string {
  const whole = safeJson(record);
  if (bytes(whole) <= MAX_AUDIT_LINE_BYTES) return whole;
  const members = Object.entries(record.args).map(([k, v]) => ({ k, v, json: safeJson(v) }));
  members.sort((a, b) => bytes(a.json) - bytes(b.json));
  const args: Record<string, unknown> = {};
  const cut: string[] = [];
  // Room for the rest of the record and the notes of what was cut.
  let room = MAX_AUDIT_LINE_BYTES - bytes(safeJson({ ...record, args: {} })) - 1024;
  for (const m of members) {
    const size = bytes(m.json) + bytes(safeJson(m.k)) + 2;
    if (size <= room) {
      args[m.k] = m.v;
      room -= size;
    } else if (cut.length < 10) cut.push(`args.${m.k.length > 64 ? `${m.k.slice(0, 64)}…` : m.k} (${sizeOf(m.v, m.json)})`);
  }
  const more = members.length - Object.keys(args).length - cut.length;
  if (more > 0) cut.push(`${more} more arguments`);
  return safeJson({ ...record, args, cut: `left out to keep this record under ${MAX_AUDIT_LINE_BYTES} bytes: ${cut.join('; ')}` });
}
