// search_tools' engine: a full-text index (MiniSearch, BM25 with field boosts) over each tool's name in words,
// its aliases (English and Chinese), description, parameters and toolset. Loaded on the first search, so start-up
// pays nothing; the build writes the index of what a server in its default configuration searches
// (dist/search-index.json), which that first search loads instead of indexing the catalog. Chinese has no spaces between words, so runs of Chinese characters are indexed and
// searched as overlapping pairs of characters (a dictionary-free segmentation that every Node version does alike).
import { readFileSync } from 'node:fs';
import type MiniSearch from 'minisearch';
import type { AsPlainObject, Options, SearchResult } from 'minisearch';
import type { ManifestTool } from './tool-list.js';

export interface SearchHit {
  tool: ManifestTool;
  score: number;
}

export interface SearchAnswer {
  hits: SearchHit[];
  /** False when even the best hit matches too little of the request to be worth showing. */
  confident: boolean;
}

/**
 * How much a match in each field counts: the name and the aliases say what a tool is for, parameters least. The
 * Chinese aliases are a field of their own, so that they change nothing in how English requests rank.
 */
const BOOST = { name: 2, aliases: 3, zh: 3, description: 1.5, toolset: 0.3, params: 0.3 } as const;
type Field = keyof typeof BOOST;

/**
 * The least score of a best hit worth showing. Requests the catalog cannot serve ("order a pizza") reach a few points
 * at most, by chance look-alikes; a request that names what a tool does scores well above this.
 */
const MIN_SCORE = 8;

/** Reads rank this much higher when the request asks a question or asks to be shown something. */
const READ_BOOST = 1.6;

/** Words that carry no intent ("who is in the room" is about "who" and "room"). */
const STOP_WORDS = new Set(
  ('a an and any are as at be been by can could did do does for from had has have i in into is it its me my now of on or our please ' +
    'right so some that the their them then there these they this those to was we were will with would you your just currently ' +
    'want need wanna gonna let us get got what how does look').split(' '),
);

/** Words that ask rather than name: they help matching but are not what a request is about. */
const ASKING_WORDS = new Set('how much many what which when where why who whose look like say says tell show see'.split(' '));

/** Chinese characters (the unified ideographs, extension A and the compatibility block). */
const HAN = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';
const HAN_RUNS = new RegExp(`([${HAN}]+)|([^${HAN}]+)`, 'g');
const isHan = (term: string) => new RegExp(`^[${HAN}]+$`).test(term);
/** Whether a text holds Chinese. */
export const hasHan = (text: string) => new RegExp(`[${HAN}]`).test(text);

/**
 * Characters that only bind a Chinese sentence together ("把" in 把用户踢出房间, "的", "吗"): a pair that holds one says
 * nothing about what is asked, so it is neither indexed nor counted.
 */
const HAN_STOP = new Set('的了把吗呢吧啊呀帮我你您他她它们个给让被这那么该一');

/**
 * A run of Chinese characters as overlapping pairs (踢出房间: 踢出, 出房, 房间), or the one character it has; with
 * `singles`, each character as well, so that a request finds the one-character words of the aliases (谁, 送).
 */
function pairs(run: string, singles = false): string[] {
  const chars = [...run];
  const one = chars.length === 1 || singles ? chars.filter((c) => !HAN_STOP.has(c)) : [];
  if (chars.length === 1) return one;
  return [...chars.slice(1).map((c, i) => chars[i]! + c).filter((p) => ![...p].some((c) => HAN_STOP.has(c))), ...one];
}

/**
 * A text as search terms. "DescribeUserInfo", "live_get_room_list" and "ByStrRoomId" as words (describe user info,
 * live get room list, by str room id); Chinese as pairs of characters. The catalog writes its Chinese aliases with
 * a space between words, so that the index holds no pair that straddles two words; a request, written without
 * spaces, also gives each of its characters (`request`).
 */
export function words(text: string, request = false): string[] {
  const out: string[] = [];
  for (const [, han, other] of text.matchAll(HAN_RUNS)) {
    if (han) out.push(...pairs(han, request));
    else out.push(...other!.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));
  }
  return out;
}

/** A request asks a question ("who is in room 1234?", "谁在房间里") or to be shown something ("show me last week's minutes", "查看用量"). */
export function asksForRead(query: string): boolean {
  const q = query.trim().toLowerCase();
  if (/^(how (do|can|should|would) (i|we|you)|how to|can you|could you|would you|will you|please)\b/.test(q) || /^(怎么|怎样|如何)/.test(q)) return false;
  return /^(who|whom|whose|what|which|when|where|why|is|are|was|were|did|does|has|have|had|how|show|list|get|find|check|see|look|tell|give me|fetch|display|view|any)\b/.test(q) ||
    /[?？]$|吗$|^(请)?(查询|查看|查一下|看看|看一下|显示|列出|获取|统计)|谁|哪些|哪个|多少|几个|有没有|是否/.test(q);
}

type Index = { engine: MiniSearch; byName: Map<string, ManifestTool>; terms(query: string): Set<string> };
/** Indexes by the tool names they cover; a server builds one or two (what it can call, what the other site offers). */
const indexes = new Map<string, Promise<Index>>();
const keyOf = (tools: readonly ManifestTool[]) => tools.map((t) => t.name).join(',');

/** An index as the build writes it: the tools it covers, in order, and MiniSearch's own form of it. */
export interface IndexData {
  names: string[];
  index: AsPlainObject;
}

async function indexOf(tools: readonly ManifestTool[]): Promise<Index> {
  const key = keyOf(tools);
  let index = indexes.get(key);
  if (!index) indexes.set(key, (index = build(tools, prebuilt())));
  return index;
}

/** The index the build wrote next to the bundle, if any (none when running from source). */
function prebuilt(): IndexData | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./search-index.json', import.meta.url), 'utf8')) as IndexData;
  } catch {
    return undefined;
  }
}

/** The index of `tools`, for the build to write. */
export async function indexData(tools: readonly ManifestTool[]): Promise<IndexData> {
  return { names: tools.map((t) => t.name), index: (await build(tools)).engine.toJSON() };
}

/** Searches of exactly these tools use `data` (an index the build wrote) from now on. */
export function useIndex(tools: readonly ManifestTool[], data: IndexData): void {
  indexes.set(keyOf(tools), build(tools, data));
}

/** Indexes `tools`, or restores `data` when it covers exactly them (a prebuilt index of other tools is ignored). */
async function build(tools: readonly ManifestTool[], data?: IndexData): Promise<Index> {
  const [{ default: MiniSearchClass }, { stemmer }] = await Promise.all([import('minisearch'), import('stemmer')]);
  const processTerm = (term: string) => (STOP_WORDS.has(term) ? null : isHan(term) ? term : stemmer(term));
  const options: Options<Record<Field | 'id', string>> = {
    fields: Object.keys(BOOST),
    tokenize: (text: string) => words(text),
    processTerm,
    // Little length normalisation: a tool with many aliases is not a worse match for having them.
    searchOptions: { boost: { ...BOOST }, processTerm, tokenize: (text: string) => words(text, true), bm25: { k: 1.2, b: 0.3, d: 0.5 } },
  };
  const terms = (query: string) => new Set(words(query).filter((w) => !ASKING_WORDS.has(w) && !isHan(w)).flatMap((w) => processTerm(w) ?? []));
  const byName = new Map(tools.map((t) => [t.name, t]));
  if (data && data.names.join(',') === keyOf(tools)) return { engine: MiniSearchClass.loadJS(data.index, options), byName, terms };
  const engine = new MiniSearchClass(options);
  engine.addAll(tools.map((t) => ({
    id: t.name,
    name: t.name,
    aliases: aliasWords(t, processTerm).filter((w) => !isHan(w)).join(' '),
    zh: aliasWords(t, processTerm).filter(isHan).join(' '),
    description: t.description,
    toolset: t.toolset,
    params: parameterText(t.inputSchema),
  })));
  return { engine, byName, terms };
}

/** The Chinese characters of a request that carry meaning, and how many of them the matched pairs cover. */
function hanCoverage(query: string, matched: ReadonlySet<string>): { chars: number; covered: number } {
  let chars = 0;
  let covered = 0;
  for (const [, han] of query.matchAll(HAN_RUNS)) {
    if (!han) continue;
    const cs = [...han];
    const hit = cs.map(() => false);
    cs.forEach((c, i) => {
      if (matched.has(c)) hit[i] = true;
      if (i > 0 && matched.has(cs[i - 1]! + c)) hit[i - 1] = hit[i] = true;
    });
    cs.forEach((c, i) => {
      if (HAN_STOP.has(c)) return;
      chars++;
      if (hit[i]) covered++;
    });
  }
  return { chars, covered };
}

/**
 * The words aliases add: each once, and none the name already has. "stop music" and "stop playing" on StopStreamIngest
 * add "music" and "playing"; counting "stop" again would rank every Stop tool above a tool that matches more of a request.
 */
function aliasWords(t: ManifestTool, processTerm: (w: string) => string | null): string[] {
  const named = new Set(words(t.name).map(processTerm));
  return [...new Set(words((t.aliases ?? []).join(' ')))].filter((w) => !named.has(processTerm(w)));
}

/** Parameter names and descriptions, one level into nested objects. */
function parameterText(schema: Record<string, unknown>, depth = 0): string {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(props)
    .filter(([name]) => name !== 'confirmationToken')
    .map(([name, p]) => [name, typeof p.description === 'string' ? p.description : '', depth < 1 ? parameterText(p, depth + 1) : ''].join(' '))
    .join(' ');
}

/**
 * Ranks tools by how well they match a request in plain words, English or Chinese. Typos are forgiven (fuzzy
 * matching) and word beginnings match ("transcri" finds transcription). The answer is not confident when the best
 * tool matches less than half of the request's meaningful words (for Chinese, its characters), or scores too
 * little: then it is noise, not an answer.
 */
export async function searchTools(query: string, tools: readonly ManifestTool[], limit = 8): Promise<SearchAnswer> {
  const { engine, byName, terms } = await indexOf(tools);
  const read = asksForRead(query);
  const results: SearchResult[] = engine.search(query, {
    // Chinese is matched exactly.
    fuzzy: (term) => (isHan(term) ? 0 : term.length >= 5 ? 0.25 : term.length >= 4 ? 0.2 : 0),
    prefix: (term) => !isHan(term) && term.length >= 5,
    boostDocument: (id) => (read && byName.get(String(id))?.annotations.readOnlyHint ? READ_BOOST : 1),
  });
  const best = results[0];
  // How much of the request the best tool matches: half of its English words, or a third of its Chinese characters
  // (a Chinese request keeps the little words English loses as stop words), covered by the pairs it matched.
  const matchedTerms = new Set(best?.queryTerms ?? []);
  const han = hanCoverage(query, matchedTerms);
  const matched = [...matchedTerms].filter((t) => !isHan(t)).length + han.covered;
  return {
    hits: results.slice(0, limit).map((r) => ({ tool: byName.get(String(r.id))!, score: r.score })),
    confident: best !== undefined && best.score >= MIN_SCORE && matched * 6 >= terms(query).size * 3 + han.chars * 2,
  };
}

/** Tool names that look like a mistyped one ("RemoveUsers", "describe_user_info"), closest first. */
export async function similarNames(name: string, tools: readonly ManifestTool[], limit = 3): Promise<string[]> {
  const { engine } = await indexOf(tools);
  return engine.search(name, { fields: ['name'], combineWith: 'AND', fuzzy: 0.3, prefix: true }).slice(0, limit).map((r) => String(r.id));
}
