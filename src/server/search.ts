// search_tools' engine: a full-text index (MiniSearch, BM25 with field boosts) over each tool's name in words,
// its aliases, description, parameters and toolset. Loaded and built on the first search, so start-up pays nothing.
import type MiniSearch from 'minisearch';
import type { SearchResult } from 'minisearch';
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

/** How much a match in each field counts: the name and the aliases say what a tool is for, parameters least. */
const BOOST = { name: 2, aliases: 3, description: 1.5, toolset: 0.3, params: 0.3 } as const;
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

/** "DescribeUserInfo", "live_get_room_list" and "ByStrRoomId" as words: describe user info, live get room list, by str room id. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A request asks a question ("who is in room 1234?") or to be shown something ("show me last week's minutes"). */
export function asksForRead(query: string): boolean {
  const q = query.trim().toLowerCase();
  if (/^(how (do|can|should|would) (i|we|you)|how to|can you|could you|would you|will you|please)\b/.test(q)) return false;
  return /^(who|whom|whose|what|which|when|where|why|is|are|was|were|did|does|has|have|had|how|show|list|get|find|check|see|look|tell|give me|fetch|display|view|any)\b/.test(q) || q.endsWith('?');
}

type Index = { engine: MiniSearch; byName: Map<string, ManifestTool>; terms(query: string): Set<string> };
/** Indexes by the tool names they cover; a server builds one or two (what it can call, what the other site offers). */
const indexes = new Map<string, Promise<Index>>();

async function indexOf(tools: readonly ManifestTool[]): Promise<Index> {
  const key = tools.map((t) => t.name).join(',');
  let index = indexes.get(key);
  if (!index) indexes.set(key, (index = build(tools)));
  return index;
}

async function build(tools: readonly ManifestTool[]): Promise<Index> {
  const [{ default: MiniSearchClass }, { stemmer }] = await Promise.all([import('minisearch'), import('stemmer')]);
  const processTerm = (term: string) => (STOP_WORDS.has(term) ? null : stemmer(term));
  const engine = new MiniSearchClass<Record<Field | 'id', string>>({
    fields: Object.keys(BOOST),
    tokenize: words,
    processTerm,
    // Little length normalisation: a tool with many aliases is not a worse match for having them.
    searchOptions: { boost: { ...BOOST }, processTerm, bm25: { k: 1.2, b: 0.3, d: 0.5 } },
  });
  engine.addAll(tools.map((t) => ({
    id: t.name,
    name: t.name,
    aliases: aliasWords(t, processTerm),
    description: t.description,
    toolset: t.toolset,
    params: parameterText(t.inputSchema),
  })));
  const terms = (query: string) => new Set(words(query).filter((w) => !ASKING_WORDS.has(w)).flatMap((w) => processTerm(w) ?? []));
  return { engine, byName: new Map(tools.map((t) => [t.name, t])), terms };
}

/**
 * The words aliases add: each once, and none the name already has. "stop music" and "stop playing" on StopStreamIngest
 * add "music" and "playing"; counting "stop" again would rank every Stop tool above a tool that matches more of a request.
 */
function aliasWords(t: ManifestTool, processTerm: (w: string) => string | null): string {
  const named = new Set(words(t.name).map(processTerm));
  return [...new Set(words((t.aliases ?? []).join(' ')))].filter((w) => !named.has(processTerm(w))).join(' ');
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
 * Ranks tools by how well they match a request in plain words. Typos are forgiven (fuzzy matching) and word
 * beginnings match ("transcri" finds transcription). The answer is not confident when the best tool matches less
 * than half of the request's meaningful words, or scores too little: then it is noise, not an answer.
 */
export async function searchTools(query: string, tools: readonly ManifestTool[], limit = 8): Promise<SearchAnswer> {
  const { engine, byName, terms } = await indexOf(tools);
  const read = asksForRead(query);
  const results: SearchResult[] = engine.search(query, {
    fuzzy: (term) => (term.length >= 5 ? 0.25 : term.length >= 4 ? 0.2 : 0),
    prefix: (term) => term.length >= 5,
    boostDocument: (id) => (read && byName.get(String(id))?.annotations.readOnlyHint ? READ_BOOST : 1),
  });
  const best = results[0];
  const matched = best ? new Set(best.queryTerms).size : 0;
  return {
    hits: results.slice(0, limit).map((r) => ({ tool: byName.get(String(r.id))!, score: r.score })),
    confident: best !== undefined && best.score >= MIN_SCORE && matched * 2 >= terms(query).size,
  };
}

/** Tool names that look like a mistyped one ("RemoveUsers", "describe_user_info"), closest first. */
export async function similarNames(name: string, tools: readonly ManifestTool[], limit = 3): Promise<string[]> {
  const { engine } = await indexOf(tools);
  return engine.search(name, { fields: ['name'], combineWith: 'AND', fuzzy: 0.3, prefix: true }).slice(0, limit).map((r) => String(r.id));
}
