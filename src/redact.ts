// The one redactor: logs, errors, tool results, dry-run output and audit records all pass through it.

const MASK = '[redacted]';
/** Property names whose values are secrets, wherever they appear. */
const SECRET_KEY = /(?:secret[-_]?(?:key|id)|^secret|session[-_]?token|access[-_]?token|auth[-_]?token|^(?:x-tc-)?token|user[-_]?sig|password|authorization|api[-_]?key|private[-_]?key)$/i;
const PATTERNS: Array<[RegExp, string]> = [
  // Query-string and header forms.
  [/(usersig=)[^&\s"']+/gi, `$1${MASK}`],
  [/(TC3-HMAC-SHA256\s+)Credential=[^\s,]+,\s*SignedHeaders=[^\s,]+,\s*Signature=[0-9a-f]+/gi, `$1${MASK}`],
  [/(authorization["']?\s*[:=]\s*["']?)(?:Bearer\s+)?[^\s"',]+/gi, `$1${MASK}`],
  // Secret-looking members inside JSON text (for example an LLMConfig string, or a TTSConfig's SecretId and SecretKey).
  [/("(?:[A-Za-z]*[-_]?)(?:secret[-_]?(?:key|id)|session[-_]?token|access[-_]?token|user[-_]?sig|password|api[-_]?key|private[-_]?key)"\s*:\s*")(?:[^"\\]|\\.)*"/gi, `$1${MASK}"`],
  // TLS UserSig v2: base64 of zlib data, which always starts with "eJ".
  [/\beJ[\w*-]{60,}/g, MASK],
];

const known = new Set<string>();
/** The shortest registered secret: shorter text cannot contain any of them. */
let shortest = Infinity;

/** Registers a secret value so that it is masked wherever it appears, however short. */
export function addSecret(value: string | undefined): void {
  if (value) {
    known.add(value);
    shortest = Math.min(shortest, value.length);
  }
}

/** Something every pattern needs; text without it (most IDs, names, numbers) skips the patterns. */
const MAY_MATCH = /usersig|authorization|tc3-hmac|"|eJ/i;

export function redactText(text: string): string {
  let out = text;
  if (out.length >= shortest) {
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  if (!MAY_MATCH.test(out)) return out;
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}

/** Past this depth a value is replaced by a marker, so that nothing after the redactor recurses through it. */
const MAX_DEPTH = 32;
const TOO_DEEP = '[nested too deep]';

/** Deep copy with secret members masked and secret values removed from strings. */
export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? MASK : walk(v, depth + 1);
  }
  return out;
}

/**
 * Text shortened to at most `max` characters (plus a marker saying how much was left out), redacted first: a cut
 * made before redaction can leave part of a secret that no longer looks like one. The cut never ends inside a
 * mask or between the halves of a surrogate pair.
 */
export function clipText(text: string, max: number): { text: string; cut: number } {
  const red = redactText(text);
  if (red.length <= max) return { text: red, cut: 0 };
  let end = max;
  const mask = red.lastIndexOf(MASK, end - 1);
  if (mask >= 0 && mask + MASK.length > end) end = mask;
  if (/[\uD800-\uDBFF]/.test(red[end - 1] ?? '')) end--;
  return { text: red.slice(0, end), cut: red.length - end };
}
