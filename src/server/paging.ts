// Paging and answer size, the same way for every tool. A paged answer says whether more rows exist and gives
// the exact arguments for the next page; an opt-in fetch of the following pages reports MCP progress; and
// every answer is cut to the size budget with a note, never silently.
import type { PagingSpec, ToolDef } from '../../tools/define.js';
import { ALL_PAGES } from '../../tools/fields.js';
import type { ApiResult } from '../api/caller.js';
import { answerSize, capNotes, cutNote, fitToBudget, jsonBytes, RESULT_BUDGET_BYTES } from './budget.js';

/** Reports progress of a long call: pages fetched so far, and the expected number of pages when known. */
export type Progress = (progress: number, total: number | undefined, message: string) => void;

/** The most pages one call fetches, however small they are. */
export const MAX_PAGES = 20;

export interface PageState {
  /** The first page fetched, the page size, and how many pages were fetched. */
  first: number;
  size: number;
  maxSize: number;
  pages: number;
  /** Rows fetched in all, and in the last page. */
  rows: number;
  last: number;
  /** The action's own count of matching rows, when it reports one. */
  total?: number;
}

export interface Fetched extends ApiResult {
  pages?: PageState;
}

const intOf = (v: unknown) => (Number.isSafeInteger(v) ? (v as number) : undefined);
const rowsOf = (response: Record<string, unknown>, field: string): unknown[] => (Array.isArray(response[field]) ? (response[field] as unknown[]) : []);

/**
 * The requests a call sends: the agent-only AllPages is never sent, and a fetch of several pages sends the page
 * fields of each page explicitly, since the pages must share one size.
 */
function pagePlan(def: ToolDef, wire: Record<string, unknown>) {
  const { [ALL_PAGES]: allPages, ...params } = wire;
  const spec = def.paging;
  if (!spec) return { params, first: 0, size: 0, maxSize: 0, allPages: false, page: () => params };
  const maxSize = typeof spec.maxSize === 'function' ? spec.maxSize(params) : spec.maxSize;
  const first = intOf(params[spec.pageField]) ?? 0;
  const size = intOf(params[spec.sizeField]) ?? (allPages ? maxSize : spec.defaultSize);
  const page = (n: number) => (allPages ? { ...params, [spec.pageField]: n, [spec.sizeField]: size } : params);
  return { params, spec, first, size, maxSize, allPages: allPages === true, page };
}

/** The parameters of the first request a call sends (a dry run shows exactly these). */
export function firstRequest(def: ToolDef, wire: Record<string, unknown>): Record<string, unknown> {
  const plan = pagePlan(def, wire);
  return plan.page(plan.first);
}

/**
 * Calls the API once, or (for a paged action asked for AllPages) page after page until the rows run out,
 * the size budget is used, or MAX_PAGES is reached.
 */
export async function fetchAnswer(
  def: ToolDef,
  wire: Record<string, unknown>,
  send: (wire: Record<string, unknown>) => Promise<ApiResult>,
  progress?: Progress,
): Promise<Fetched> {
  const { spec, first, size, maxSize, allPages, page, params } = pagePlan(def, wire);
  if (!spec) return send(params);

  let result = await send(page(first));
  const state: PageState = { first, size, maxSize, pages: 1, ...counted(spec, result.response, 0) };
  if (!allPages) return { ...result, pages: state };

  const merged = { ...result.response };
  while (moreOf(state) !== 'no' && state.pages < MAX_PAGES && jsonBytes(merged) <= RESULT_BUDGET_BYTES) {
    // Progress goes out before each further page, never just before the answer: the SDK's client drops a
    // notification that arrives together with the response it belongs to.
    progress?.(state.pages, expectedPages(state), `Fetched ${state.rows} rows in ${state.pages} pages`);
    result = await send(page(first + state.pages));
    for (const field of spec.rows) merged[field] = [...rowsOf(merged, field), ...rowsOf(result.response, field)];
    if (spec.total && result.response[spec.total] !== undefined) merged[spec.total] = result.response[spec.total];
    Object.assign(state, counted(spec, result.response, state.rows), { pages: state.pages + 1 });
  }
  return { ...result, response: merged, pages: state };
}

function counted(spec: PagingSpec, response: Record<string, unknown>, before: number) {
  const last = rowsOf(response, spec.rows[0]).length;
  return { last, rows: before + last, total: spec.total ? intOf(response[spec.total]) : undefined };
}

function expectedPages(s: PageState): number | undefined {
  return s.total !== undefined && s.total > s.rows ? Math.ceil((s.total - s.first * s.size) / s.size) : undefined;
}

/**
 * Whether rows after those fetched exist. TRTC documents Total loosely, so a full page whose Total
 * proves nothing is "possibly": the agent is told to ask, and an empty page ends it.
 */
function moreOf(s: PageState): 'yes' | 'no' | 'possibly' {
  const seen = s.first * s.size + s.rows;
  if (s.total !== undefined && s.total > seen) return 'yes';
  if (s.last < s.size) return 'no';
  if (s.total !== undefined && s.total === seen && s.total !== s.last) return 'no';
  return 'possibly';
}

/**
 * The arguments that continue exactly after the first `shown` rows: the same page size when the position
 * is aligned to it, else the largest page size that divides the position (so no row is skipped or repeated).
 */
function nextPage(s: PageState, shown: number) {
  const offset = s.first * s.size + shown;
  let size = offset % s.size === 0 ? s.size : Math.min(shown, s.maxSize);
  while (offset % size) size--;
  return { PageNumber: offset / size, PageSize: size };
}

/**
 * The answer as the agent gets it: nulls dropped (TRTC sends null for "no value"), cut to the size budget (a
 * default answer's, unless `expanded` or `bytes` sets another; the definition's time series thinned unless `thin` is false), and for
 * paged actions a Paging object that says whether more rows exist and how to get them.
 */
export function shapeAnswer(
  def: ToolDef, structured: Record<string, unknown>, notes: readonly string[], pages?: PageState,
  opts: { expanded?: boolean; thin?: boolean; bytes?: number } = {},
) {
  const expanded = opts.expanded ?? false;
  const capped = capNotes(notes, answerSize(expanded, [], opts.bytes).notes);
  const { json, label } = answerSize(expanded, capped, opts.bytes);
  // What is carried whole stays out of the fitting, and back in its place afterwards.
  const all = withoutNulls(structured);
  const whole = new Set((def.whole ?? []).filter((k) => Object.hasOwn(all, k)));
  const fitted = fitToBudget(Object.fromEntries(Object.entries(all).filter(([k]) => !whole.has(k))), json, opts.thin === false ? undefined : def.series);
  const { cuts } = fitted;
  const value: Record<string, unknown> = Object.fromEntries(Object.keys(all).filter((k) => whole.has(k) || k in fitted.value).map((k) => [k, whole.has(k) ? all[k] : fitted.value[k]]));
  const extra: string[] = [];
  if (def.paging && pages) {
    const rowsCut = cuts.find((c) => c.path === def.paging!.rows[0]);
    const shown = rowsCut ? rowsCut.kept : pages.rows;
    const more = rowsCut ? 'yes' : moreOf(pages);
    const next = nextPage(pages, shown);
    value.Paging = more === 'no' ? { More: more } : { More: more, Next: next };
    extra.push(pagingNote(more, next, pages));
  }
  if (cuts.length) extra.push(cutNote(cuts, def.narrow, label));
  return { structured: value, notes: [...capped, ...extra] };
}

function pagingNote(more: string, next: { PageNumber: number; PageSize: number }, s: PageState): string {
  const args = `PageNumber ${next.PageNumber} and PageSize ${next.PageSize}`;
  const fetched = s.pages > 1 ? ` ${s.pages} pages were fetched.` : '';
  if (more === 'yes') return `More rows exist${s.total !== undefined ? ` (${s.total} match)` : ''}: call again with ${args}, or with AllPages true.${fetched}`;
  if (more === 'possibly') return `This page is full, so more rows may exist: call again with ${args} (an empty page means there are no more).${fetched}`;
  return `These are all the matching rows.${fetched}`;
}

function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)])) as T;
}
