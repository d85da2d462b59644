// Event resources: the recent events of one room or one task, which clients may subscribe to. A subscriber is sent
// notifications/resources/updated when a new event matches; it then reads the resource again.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema, type ReadResourceResult, type ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { ServerContext } from '../server/pipeline.js';
import { EventFeed } from './feed.js';
import { eventLog, present, scan, scopeProblem, UNTRUSTED_NOTE, type EventFilter } from './log.js';

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

interface Target {
  app: number;
  filter: EventFilter;
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

const check = (ctx: ServerContext, t: Target) => {
  const why = scopeProblem(ctx.config, t.app, t.filter.RoomId);
  if (why) throw new EventResourceRefusal(`Refused: ${why}`);
};

export async function readEventResource(ctx: ServerContext, uri: string): Promise<ReadResourceResult | undefined> {
  const target = parseEventUri(uri);
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

/** Lets the clients of one MCP session subscribe to event resources. Subscriptions end with the session. */
export function serveEventSubscriptions(server: Server, ctx: ServerContext, protocolError: (code: number, message: string) => Error): void {
  const subscriptions = new Map<string, AbortController>();
  const feed = ctx.events ?? new EventFeed(ctx.store);

  const watch = async (uri: string, t: Target, signal: AbortSignal) => {
    let after = (await ctx.store.read(eventLog(t.app), { limit: 0 })).last;
    while (!signal.aborted && feed.open) {
      await feed.changed(t.app, signal);
      if (signal.aborted) return;
      const r = await scan(ctx.store, ctx.config, t.app, { after, limit: 1, filter: t.filter });
      if (r.entries.length) await server.sendResourceUpdated({ uri }).catch(() => undefined);
      // Past everything examined: one notification per batch, and the client reads the resource for the rest.
      after = r.entries.length ? Math.max(r.cursor, r.newest) : r.cursor;
    }
  };

  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const target = parseEventUri(uri);
    if (!target) throw protocolError(-32602, `Only event resources (trtc://apps/{SdkAppId}/rooms/{RoomId}/events, .../tasks/{TaskId}/events) change; ${uri} cannot be subscribed to.`);
    try {
      check(ctx, target);
    } catch (err) {
      throw protocolError(-32602, (err as Error).message);
    }
    if (!subscriptions.has(uri)) {
      const stop = new AbortController();
      subscriptions.set(uri, stop);
      void watch(uri, target, stop.signal).catch((err: Error) => ctx.log.warn('event subscription stopped', { uri, error: err.message }));
    }
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscriptions.get(request.params.uri)?.abort();
    subscriptions.delete(request.params.uri);
    return {};
  });
  const onclose = server.onclose;
  server.onclose = () => {
    for (const stop of subscriptions.values()) stop.abort();
    subscriptions.clear();
    onclose?.();
  };
}
