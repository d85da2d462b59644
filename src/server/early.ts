// What stdio answers before the rest of the server and its SDK line have loaded: a client's opening requests, whose
// answers are fixed once the server has started (the legacy initialize and tools/list, the 2026-07-28 server/discover
// and tools/list). Each answer is the line the SDK would send, byte for byte (test/early.test.ts compares them), and
// only requests in the plain shapes clients send get one: anything else, a malformed capability included, waits for
// the SDK, which validates it.
import { instructionsFor, LEGACY_CAPABILITIES, offerOf, MODERN_CAPABILITIES, SERVER_INFO, STABLE_CACHE } from './instructions.js';
import type { ServerContext } from './pipeline.js';
import { listed, type ManifestTool } from './tool-list.js';

/** A JSON-RPC message as read from stdin. */
export type Message = { jsonrpc: '2.0'; id?: string | number; method?: string; params?: Record<string, unknown> };

export interface EarlyAnswer {
  line: string;
  /** The SDK must still see the request (the legacy initialize sets up its session); its own answer is dropped. */
  forward: boolean;
}

/** Answers what it can of one connection's opening requests; `undefined` hands the request to the SDK. */
export type EarlyAnswerer = (message: Message) => EarlyAnswer | undefined;

/** The protocol revisions the v1 SDK negotiates, newest first (test/early.test.ts checks them against the SDK). */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];
const MODERN_REVISION = '2026-07-28';
const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
};

const response = (id: string | number, result: unknown) => `${JSON.stringify({ result, jsonrpc: '2.0', id })}\n`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOnly = (o: Record<string, unknown>, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));
const isClientInfo = (v: unknown) => isObject(v) && hasOnly(v, ['name', 'version']) && typeof v.name === 'string' && typeof v.version === 'string';
const isRequest = (m: Message, method: string): m is Message & { id: string | number } => m.method === method && m.id !== undefined && hasOnly(m, ['jsonrpc', 'id', 'method', 'params']);
/** The client capabilities the specification names; a client's own extensions are under `extensions`. */
const CAPABILITY_KEYS = ['roots', 'sampling', 'elicitation', 'experimental', 'extensions', 'tasks'];
/** The only flags: anything else in a plain declaration is an object, down to empty ones. */
const FLAGS = ['roots.listChanged', 'elicitation.form.applyDefaults'];
const isTree = (v: unknown, path: string): boolean =>
  isObject(v) && Object.entries(v).every(([k, x]) => (typeof x === 'boolean' ? FLAGS.includes(`${path}.${k}`) : isTree(x, `${path}.${k}`)));
/**
 * Capabilities both SDKs accept as they are, and that declare no MCP Apps support (whose clients get the console in
 * their list): the named capabilities, holding objects and the two flags only.
 */
const isPlainCapabilities = (v: unknown) => isObject(v) && hasOnly(v, CAPABILITY_KEYS) && Object.entries(v).every(([k, x]) => isTree(x, k));
/** No params, or empty ones: a list's first page. */
const noParams = (m: Message) => m.params === undefined || (isObject(m.params) && Object.keys(m.params).length === 0);

/**
 * @param ctx the context of the connection's identity (on stdio, the operator's)
 * @param tools the tools it lists (to a client that does not render MCP Apps views)
 * @param manifest every tool the server has (the instructions name those it can call but does not list)
 */
export function earlyAnswers(ctx: ServerContext, tools: readonly ManifestTool[], manifest: readonly ManifestTool[], modern: boolean): EarlyAnswerer {
  const list = () => tools.map(listed);
  const offer = offerOf(tools, manifest, ctx.config);
  if (modern) {
    const stamped = (result: Record<string, unknown>) => ({ ...result, resultType: 'complete', ...STABLE_CACHE, _meta: { [META.serverInfo]: SERVER_INFO } });
    return (m) => {
      const meta = isObject(m.params) && hasOnly(m.params, ['_meta']) ? m.params._meta : undefined;
      const plain = isObject(meta) && hasOnly(meta, [META.protocolVersion, META.clientInfo, META.clientCapabilities]) && meta[META.protocolVersion] === MODERN_REVISION &&
        isClientInfo(meta[META.clientInfo]) && isPlainCapabilities(meta[META.clientCapabilities]);
      if (!plain) return undefined;
      if (isRequest(m, 'tools/list')) return { line: response(m.id, stamped({ tools: list() })), forward: false };
      if (isRequest(m, 'server/discover')) {
        const result = stamped({ supportedVersions: [MODERN_REVISION], capabilities: MODERN_CAPABILITIES, instructions: instructionsFor(ctx, offer) });
        return { line: response(m.id, result), forward: false };
      }
      return undefined;
    };
  }
  let initialized = false;
  return (m) => {
    if (!initialized && isRequest(m, 'initialize')) {
      const p = m.params;
      if (!isObject(p) || !hasOnly(p, ['protocolVersion', 'capabilities', 'clientInfo']) || typeof p.protocolVersion !== 'string') return undefined;
      if (!isClientInfo(p.clientInfo) || !isPlainCapabilities(p.capabilities)) return undefined;
      initialized = true;
      const instructions = instructionsFor(ctx, offer);
      const result = {
        protocolVersion: LEGACY_VERSIONS.includes(p.protocolVersion) ? p.protocolVersion : LEGACY_VERSIONS[0],
        capabilities: LEGACY_CAPABILITIES,
        serverInfo: SERVER_INFO,
        ...(instructions && { instructions }),
      };
      return { line: response(m.id, result), forward: true };
    }
    // Plain capabilities declare no MCP Apps support, so the list is the one without the console.
    if (initialized && isRequest(m, 'tools/list') && noParams(m)) return { line: response(m.id, { tools: list() }), forward: false };
    return undefined;
  };
}
