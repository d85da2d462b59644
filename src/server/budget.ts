// How much of an answer reaches the agent: one budget for every tool's answer, and an even-handed way to cut an
// answer down to it that says exactly what was left out.
import { RAW_SERIES } from '../../tools/fields.js';

/**
 * The most text a tool's default answer carries, every text block together (the JSON mirror of the structured
 * content, the notes, the lines the server adds): the facts fit a model's context, and the rest is named.
 */
export const ANSWER_BUDGET_CHARS = 4_000;
/** The most JSON an answer may take when the agent asked for more (AllPages, RawSeries). */
export const RESULT_BUDGET_BYTES = 16_000;
/** The most text the notes may add then. */
export const NOTES_BUDGET_BYTES = 4_000;
/** In a default answer: the most the definition's own notes may take, and the room kept for the lines the server adds after them (paging, cuts, the sandbox). */
const DEFAULT_NOTES_CHARS = 1_600;
const SERVER_LINES_CHARS = 700;
/** Fewer points than this say nothing of a series' shape: a series thinned further loses its points altogether. */
const MIN_POINTS = 4;

/** What one answer may carry: JSON and notes. */
export interface AnswerSize {
  json: number;
  notes: number;
  /** How the cut note names the limit. */
  label: string;
}

/**
 * The size of an answer: a default one fits ANSWER_BUDGET_CHARS of text, its JSON taking what the notes leave;
 * one the agent asked to be longer takes the larger limits, and a server-side reader (the console) sets its own.
 * (Bytes bound characters, so the JSON is measured in bytes.)
 */
export function answerSize(expanded: boolean, notes: readonly string[] = [], bytes?: number): AnswerSize {
  if (bytes !== undefined) return { json: bytes, notes: NOTES_BUDGET_BYTES, label: `${bytes / 1000} KB` };
  if (expanded) return { json: RESULT_BUDGET_BYTES, notes: NOTES_BUDGET_BYTES, label: `${RESULT_BUDGET_BYTES / 1000} KB` };
  const used = notes.reduce((n, note) => n + note.length + 1, 0);
  return { json: Math.max(1_000, ANSWER_BUDGET_CHARS - used - SERVER_LINES_CHARS), notes: DEFAULT_NOTES_CHARS, label: `${ANSWER_BUDGET_CHARS.toLocaleString('en')} characters` };
}

export interface Cut {
  /** Where, with array indexes written as [] (for example Data[].Content). */
  path: string;
  kept: number;
  /** The largest original length among the lists or strings cut at this path. */
  total: number;
  /** How many lists or strings were cut at this path. */
  count: number;
  unit: 'items' | 'lines' | 'characters' | 'points';
}

export const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '');

/** Which arrays a cut may shorten: lists of records up to a nesting height, or every array. */
type Scope = number | 'all';

/**
 * Cuts `value` down to the budget. The time series at `series` (a path such as Data[].Content), if given, are
 * thinned first: each keeps at most the same number of points, spread over its whole time and keeping its peaks
 * and dips; when too few would be left, their points are left out. Then lists of records are cut, innermost first (the points
 * of each series before the series themselves), each list keeping at most the same number of leading items,
 * chosen as large as fits: the longest lists lose most and short ones stay whole. Arrays of plain values
 * (columns, a row's values, keys) are cut only if that is not enough, and strings (such as CSV) last, at a line break.
 */
export function fitToBudget<T>(value: T, budget = RESULT_BUDGET_BYTES, series?: string): { value: T; cuts: Cut[] } {
  if (jsonBytes(value) <= budget) return { value, cuts: [] };
  if (series) {
    const thinned = thinToBudget(value, budget, series);
    if (thinned) {
      const rest = fitToBudget(thinned.value, budget);
      return { value: rest.value, cuts: [thinned.cut, ...rest.cuts] };
    }
  }
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
export function cutNote(cuts: readonly Cut[], narrow = 'Narrow the query to see the rest.', limit = `${RESULT_BUDGET_BYTES / 1000} KB`): string {
  const parts = cuts.map((c) =>
    c.unit === 'points'
      ? c.kept
        ? `${c.count === 1 ? `the ${c.path} series keeps` : `each of ${c.count} ${c.path} series keeps`} ${c.kept} of up to ${c.total} points, spread over its time with its peaks and dips`
        : `the ${c.count} ${c.path} series are left out (up to ${c.total} points each)`
      : c.count === 1
        ? `${c.path || 'the answer'} keeps the first ${c.kept} of ${c.total} ${c.unit}`
        : `each of ${c.count} ${c.path} lists keeps its first ${c.kept} ${c.unit} (the longest had ${c.total})`,
  );
  const raw = cuts.some((c) => c.unit === 'points') ? ` With ${RAW_SERIES} true, the points come as sent.` : '';
  return `TRUNCATED to fit ${limit}: ${parts.join('; ')}. ${narrow}${raw}`;
}

/** The lists at `path` (Data[].Content: the Content of each item of Data), each with its parent and key. */
function listsAt(root: unknown, path: string): Array<{ parent: Record<string, unknown>; key: string; list: unknown[] }> {
  const steps = path.split('.');
  let nodes: unknown[] = [root];
  const out: Array<{ parent: Record<string, unknown>; key: string; list: unknown[] }> = [];
  steps.forEach((step, i) => {
    const key = step.replace(/\[\]$/, '');
    const last = i === steps.length - 1;
    nodes = nodes.flatMap((node) => {
      const v = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
      if (last) {
        if (Array.isArray(v)) out.push({ parent: node as Record<string, unknown>, key, list: v });
        return [];
      }
      return step.endsWith('[]') ? (Array.isArray(v) ? v : []) : [v];
    });
  });
  return out;
}

/**
 * The series at `path` thinned to the most points that fit, or undefined if there are none. When fewer than
 * MIN_POINTS would fit, the list of series itself (the path up to its last []) is left out: a series without
 * points says nothing the summary does not.
 */
function thinToBudget<T>(value: T, budget: number, path: string): { value: T; cut: Cut } | undefined {
  const lists = listsAt(value, path);
  const total = Math.max(0, ...lists.map((l) => l.list.length));
  if (!lists.length || total <= MIN_POINTS) return undefined;
  const thinnedTo = (n: number) => {
    const copy = structuredClone(value);
    for (const { parent, key, list } of listsAt(copy, path)) parent[key] = thin(list, n);
    return copy;
  };
  const n = largest(MIN_POINTS, total - 1, (k) => jsonBytes(thinnedTo(k)) <= budget);
  if (n !== undefined) return { value: thinnedTo(n), cut: { path, kept: n, total, count: lists.length, unit: 'points' } };
  const holder = path.slice(0, path.lastIndexOf('[]'));
  const copy = structuredClone(value);
  for (const { parent, key } of listsAt(copy, holder)) delete parent[key];
  return { value: copy, cut: { path: holder, kept: 0, total, count: lists.length, unit: 'points' } };
}

/** Numbers a point carries, besides its time: what thinning keeps the extremes of. */
function measures(point: unknown): number[] {
  if (typeof point === 'number') return [point];
  if (!point || typeof point !== 'object') return [];
  return Object.entries(point).flatMap(([k, v]) => (/^time$/i.test(k) ? [] : Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : typeof v === 'number' ? [v] : []));
}

/**
 * At most `n` of the points, in order: the first and the last, every number's highest and lowest point (so the
 * extremes a summary reports are among the points shown), and from each of the equal stretches between them that
 * the remaining room allows the point that strays furthest from the series' mean (measured per number, relative
 * to its range), so that other spikes and dips survive too. Every point kept is one that was sent.
 */
export function thin<P>(points: readonly P[], n: number): P[] {
  if (points.length <= n) return [...points];
  if (n <= 2) return [points[0]!, points[points.length - 1]!].slice(0, Math.max(n, 0));
  const rows = points.map(measures);
  const width = Math.max(...rows.map((r) => r.length));
  const mean: number[] = [];
  const range: number[] = [];
  const extremes = new Set<number>();
  for (let i = 0; i < width; i++) {
    let [lo, hi] = [-1, -1];
    let sum = 0;
    let count = 0;
    rows.forEach((r, at) => {
      const v = r[i];
      if (v === undefined) return;
      sum += v;
      count++;
      if (lo < 0 || v < rows[lo]![i]!) lo = at;
      if (hi < 0 || v > rows[hi]![i]!) hi = at;
    });
    mean[i] = sum / (count || 1);
    range[i] = count ? rows[hi]![i]! - rows[lo]![i]! || 1 : 1;
    for (const at of [hi, lo]) if (at > 0 && at < points.length - 1) extremes.add(at);
  }
  const stray = (at: number) => rows[at]!.reduce((a, v, i) => a + Math.abs(v - mean[i]!) / range[i]!, 0);
  // The extremes first, the most striking of them when there are more than the room for them.
  const kept = new Set([0, points.length - 1, ...[...extremes].sort((a, b) => stray(b) - stray(a)).slice(0, n - 2)]);
  const room = n - kept.size;
  const inner = points.length - 2;
  for (let b = 0; b < room; b++) {
    const from = 1 + Math.floor((b * inner) / room);
    const to = 1 + Math.floor(((b + 1) * inner) / room);
    let best = -1;
    for (let at = from; at < to; at++) if (!kept.has(at) && (best < 0 || stray(at) > stray(best))) best = at;
    if (best >= 0) kept.add(best);
  }
  return [...kept].sort((a, b) => a - b).map((at) => points[at]!);
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
