// The room console: an MCP Apps view (the io.modelcontextprotocol/ui extension) of one room over a time window, for
// hosts that render such views. It is offered only to clients that say they render them: they see the room and
// quality tools linked to the console's ui:// resource, and the console's own data tool, visible to the view alone.
// The data tool reads through the pipeline, tool by tool, like call_tool; the view's actions (mute, remove, stop a
// bot) are ordinary calls of the catalog's tools through the host. Nothing here decides a permission.
import { readFileSync } from 'node:fs';
import type { Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ManifestTool } from './tool-list.js';

/** The extension's identifier and the one content type it defines (2026-01-26). */
export const UI_EXTENSION = 'io.modelcontextprotocol/ui';
export const UI_MIME = 'text/html;profile=mcp-app';
export const CONSOLE_URI = 'ui://trtc/room-console';
export const CONSOLE_TOOL = 'room_console';

/** Whether a client's capabilities say it renders MCP Apps views of this content type. */
export function rendersApps(capabilities: unknown): boolean {
  const ui = (capabilities as { extensions?: Record<string, { mimeTypes?: unknown }> } | undefined)?.extensions?.[UI_EXTENSION];
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(UI_MIME);
}

/** The tools whose answers the console shows: the room tools, and the quality reads that name a room or a call. */
export const showsConsole = (t: Pick<ManifestTool, 'toolset' | 'inputSchema'>) => {
  const params = Object.keys((t.inputSchema.properties ?? {}) as object);
  return t.toolset === 'room' || (t.toolset === 'quality' && ['RoomId', 'CommId'].some((p) => params.includes(p)) && !params.includes('Period'));
};

/**
 * The tool list as a client that renders views sees it: linked tools carry the console, and its data tool is added
 * (loaded on first use, so that start-up pays nothing for it).
 */
export async function withConsole(tools: readonly Tool[], manifest: readonly ManifestTool[]): Promise<Tool[]> {
  const linked = new Set(manifest.filter(showsConsole).map((t) => t.name));
  const shown = tools.map((t) => (linked.has(t.name) ? { ...t, _meta: { ...t._meta, ui: { resourceUri: CONSOLE_URI } } } : t));
  return [...shown, (await import('./console-data.js')).consoleTool()];
}


/** The console as a resource: self-contained HTML (built by scripts/build.mjs), and a content security policy with no outside domain. */
const CONSOLE_META = { ui: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, prefersBorder: true } };

export const consoleResource = (): Resource => ({
  uri: CONSOLE_URI,
  name: 'Room console',
  description: 'An interactive view of a room (MCP Apps): participants, quality charts, bad experiences, events, and moderation actions that ask for consent as any call does',
  mimeType: UI_MIME,
  _meta: CONSOLE_META,
});

let html: string | undefined;
export function readConsole(uri: string) {
  if (uri !== CONSOLE_URI) return undefined;
  html ??= readFileSync(new URL('./console.html', import.meta.url), 'utf8');
  return { contents: [{ uri, mimeType: UI_MIME, text: html, _meta: CONSOLE_META }] };
}

