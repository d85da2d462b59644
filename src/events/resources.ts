// Event resources: the recent events of one room or one task, which clients may subscribe to (subscriptions.ts).
// Free of any MCP SDK at run time, so that either protocol era can read them.
import type { ReadResourceResult, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { eventsOffered } from '../guardrails/exposure.js';
import { room } from '../guardrails/scope.js';
import type { ServerContext } from '../server/pipeline.js';
import { present, scan, scopeProblem, UNTRUSTED_NOTE, type EventFilter } from './log.js';

/** Events a resource shows: the newest this many. */
export const RESOURCE_EVENTS = 50;

export const EVENT_RESOURCE_TEMPLATES: ResourceTemplate[] = [
  {
    uriTemplate: 'trtc://apps/{SdkAppId}/rooms/{RoomId}/events',
    name: 'Room events',
    description: `The newest ${RESOURCE_EVENTS} TRTC callback events of one room (entries, exits, media, recordings, AI sentences); subscribe to hear of new ones`,
    mimeType: 'application/json',
  },
  {
    uriTemplate: 'trtc://apps/{SdkAppId}/tasks/{TaskId}/events',
    name: 'Task events',
    description: `The newest ${RESOURCE_EVENTS} TRTC callback events of one recording or AI task; subscribe to hear of new ones`,
    mimeType: 'application/json',
  },
];

export interface Target {
  app: number;
  filter: EventFilter;
}

/**
 * The app and filter an event resource URI names, or undefined when it names none, or when this server does not
 * offer its events (an event tool denied): such a URI is then unknown on every surface, as a denied tool's name is.
 */
export function eventTarget(ctx: Pick<ServerContext, 'config'>, uri: string): Target | undefined {
  return eventsOffered(ctx.config) ? parseEventUri(uri) : undefined;
}

/** The app and filter an event resource URI names, or undefined when it names none. */
export function parseEventUri(uri: string): Target | undefined {
  const m = /^trtc:\/\/apps\/(\d{1,10})\/(rooms|tasks)\/([^/]+)\/events$/.exec(uri);
  if (!m) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[3]!);
  } catch {
    return undefined;
  }
  return { app: Number(m[1]), filter: m[2] === 'rooms' ? { RoomId: id } : { TaskId: id } };
}

/** Thrown for a URI outside this server's scope; the server turns it into a JSON-RPC error. */
export class EventResourceRefusal extends Error {}

export const check = (ctx: ServerContext, t: Target) => {
  // A URI names a room by its text, which may be either kind; each event is then shown only if its own room is in scope.
  const why = scopeProblem(ctx.config, t.app, t.filter.RoomId === undefined ? undefined : room(t.filter.RoomId));
  if (why) throw new EventResourceRefusal(`Refused: ${why}`);
};

export async function readEventResource(ctx: ServerContext, uri: string): Promise<ReadResourceResult | undefined> {
  const target = eventTarget(ctx, uri);
  if (!target) return undefined;
  check(ctx, target);
  const r = await scan(ctx.store, ctx.config, target.app, { limit: Number.MAX_SAFE_INTEGER, filter: target.filter, budget: ctx.config.eventsMax + 1 });
  const body = {
    SdkAppId: target.app,
    ...target.filter,
    note: UNTRUSTED_NOTE,
    events: r.entries.slice(-RESOURCE_EVENTS).map(present),
    cursor: r.cursor,
  };
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
}
