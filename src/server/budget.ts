// How much of an answer reaches the agent: one budget for every tool, and an even-handed way to cut an
// answer down to it that says exactly what was left out.

/** The most JSON a result's structured content may take; its text mirror repeats it, so it counts twice. */
export const RESULT_BUDGET_BYTES = 16_000;
/** The most text the notes may add. */
export const NOTES_BUDGET_BYTES = 4_000;

export interface Cut {
  /** Where, with array indexes written as [] (for example Data[].Content). */
  path: string;
  kept: number;
  /** The largest original length among the lists or strings cut at this path. */
  total: number;
  /** How many lists or strings were cut at this path. */
  count: number;
  unit: 'items' | 'lines' | 'characters';
}

export const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '');

/** Which arrays a cut may shorten: lists of records up to a nesting height, or every array. */
type Scope = number | 'all';

/**
 * Cuts `value` down to the budget. Lists of records are cut before anything else, innermost first (the points
 * of each series before the series themselves), each list keeping at most the same number of leading items,
 * chosen as large as fits: the longest lists lose most and short ones stay whole. Arrays of plain values
 * (columns, a row's values, keys) are cut only if that is not enough, and strings (such as CSV) last, at a line break.
 */
export function fitToBudget<T>(value: T, budget = RESULT_BUDGET_BYTES): { value: T; cuts: Cut[] } {
  if (jsonBytes(value) <= budget) return { value, cuts: [] };
  const fits = (items: number, chars: number, scope: Scope) => jsonBytes(cap(value, items, chars, scope)) <= budget;
  const finish = (items: number, chars: number, scope: Scope) => {
    const cuts = new Map<string, Cut>();
    return { value: cap(value, items, chars, scope, '', cuts) as T, cuts: [...cuts.values()] };
  };
  for (let scope = 0; scope <= height(value); scope++) {
    const items = largest(1, longest(value, 'array') - 1, (n) => fits(n, Infinity, scope));
    if (items !== undefined) return finish(items, Infinity, scope);
  }
  const items = largest(1, longest(value, 'array') - 1, (n) => fits(n, Infinity, 'all')) ?? 1;
  const chars = fits(items, Infinity, 'all') ? Infinity : largest(1, longest(value, 'string') - 1, (n) => fits(items, n, 'all')) ?? 1;
  return finish(items, chars, 'all');
}

const heights = new WeakMap<object, number>();
/** -1 for an array of plain values; 0 for a list of records with no lists of records inside; and so on up. */
function height(value: unknown): number {
  if (!value || typeof value !== 'object') return -1;
  let h = heights.get(value);
  if (h === undefined) {
    const inner = Math.max(-1, ...Object.values(value).map(height));
    const records = Array.isArray(value) && value.some((v) => v && typeof v === 'object' && !Array.isArray(v));
    h = Array.isArray(value) ? (records ? inner + 1 : inner) : inner;
    heights.set(value, h);
  }
  return h;
}

const inScope = (array: unknown[], scope: Scope) => scope === 'all' || (height(array) >= 0 && height(array) <= scope && array.some((v) => v && typeof v === 'object'));

/** The largest n in [lo, hi] for which ok(n) holds, assuming ok is monotonic; undefined if none. */
function largest(lo: number, hi: number, ok: (n: number) => boolean): number | undefined {
  let best: number | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) [best, lo] = [mid, mid + 1];
    else hi = mid - 1;
  }
  return best;
}

function longest(value: unknown, kind: 'array' | 'string'): number {
  if (typeof value === 'string') return kind === 'string' ? value.length : 0;
  if (!value || typeof value !== 'object') return 0;
  const own = Array.isArray(value) && kind === 'array' ? value.length : 0;
  return Math.max(own, ...Object.values(value).map((v) => longest(v, kind)));
}

function cap(value: unknown, items: number, chars: number, scope: Scope, path = '', cuts?: Map<string, Cut>): unknown {
  if (typeof value === 'string') return value.length > chars ? cutString(value, chars, path, cuts) : value;
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const kept = value.length > items && inScope(value, scope) ? value.slice(0, items) : value;
    if (kept !== value) record(cuts, path, items, value.length, 'items');
    return kept.map((v) => cap(v, items, chars, scope, `${path}[]`, cuts));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cap(v, items, chars, scope, path ? `${path}.${k}` : k, cuts)]));
}

/** Keeps whole lines when the string has them (CSV stays parseable), else the leading characters. */
function cutString(s: string, chars: number, path: string, cuts?: Map<string, Cut>): string {
  const head = s.slice(0, chars);
  const lineEnd = head.lastIndexOf('\n');
  if (lineEnd > 0) {
    const kept = head.slice(0, lineEnd + 1);
    record(cuts, path, kept.split('\n').length - 1, s.split('\n').filter(Boolean).length, 'lines');
    return kept;
  }
  record(cuts, path, chars, s.length, 'characters');
  return head;
}

function record(cuts: Map<string, Cut> | undefined, path: string, kept: number, total: number, unit: Cut['unit']): void {
  if (!cuts) return;
  const prev = cuts.get(path);
  cuts.set(path, { path, kept, unit, total: Math.max(total, prev?.total ?? 0), count: (prev?.count ?? 0) + 1 });
}

/** Says what was cut and how to ask for less. */
export function cutNote(cuts: readonly Cut[], narrow = 'Narrow the query to see the rest.'): string {
  const parts = cuts.map((c) =>
    c.count === 1
      ? `${c.path || 'the answer'} keeps the first ${c.kept} of ${c.total} ${c.unit}`
      : `each of ${c.count} ${c.path} lists keeps its first ${c.kept} ${c.unit} (the longest had ${c.total})`,
  );
  return `TRUNCATED to fit ${RESULT_BUDGET_BYTES / 1000} KB: ${parts.join('; ')}. ${narrow}`;
}

/** Keeps the notes within their budget, line by line, saying how much was left out. */
export function capNotes(notes: readonly string[], budget = NOTES_BUDGET_BYTES): string[] {
  const lines = notes.flatMap((note, i) => note.split('\n').map((line) => ({ note: i, line })));
  let used = 0;
  const fit = lines.findIndex(({ line }) => (used += Buffer.byteLength(line) + 1) > budget);
  if (fit < 0) return [...notes];
  const kept = lines.slice(0, fit);
  const out = notes.slice(0, kept.length ? kept[kept.length - 1]!.note + 1 : 0).map((_, i) => kept.filter((l) => l.note === i).map((l) => l.line).join('\n'));
  return [...out.filter(Boolean), `(${lines.length - fit} more note lines left out to save space)`];
}
