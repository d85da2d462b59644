// Subscriptions to event resources, for legacy-era sessions (the 2026-07-28 protocol has no resources/subscribe). A
// subscriber is sent notifications/resources/updated when a new event matches; it then reads the resource again.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ServerContext } from '../server/pipeline.js';
import { EventFeed } from './feed.js';
import { eventLog, scan } from './log.js';
import { check, eventTarget, type Target } from './resources.js';

/**
 * Lets the clients of one MCP session subscribe to event resources. Subscriptions end with the session. Each is
 * checked, and watched, with the permissions of whoever subscribed (`contextOf` gives them for a request).
 */
export function serveEventSubscriptions(
  server: Server,
  contextOf: (extra: { authInfo?: { extra?: Record<string, unknown> } }) => ServerContext,
  protocolError: (code: number, message: string) => Error,
): void {
  const subscriptions = new Map<string, AbortController>();

  const watch = async (ctx: ServerContext, uri: string, t: Target, signal: AbortSignal) => {
    const feed = ctx.events ?? new EventFeed(ctx.store);
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

  server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
    const ctx = contextOf(extra);
    const { uri } = request.params;
    const target = eventTarget(ctx, uri);
    if (!target) throw protocolError(-32602, `Only event resources (trtc://apps/{SdkAppId}/rooms/{RoomId}/events, .../tasks/{TaskId}/events) change; ${uri} cannot be subscribed to.`);
    try {
      check(ctx, target);
    } catch (err) {
      throw protocolError(-32602, (err as Error).message);
    }
    if (!subscriptions.has(uri)) {
      const stop = new AbortController();
      subscriptions.set(uri, stop);
      void watch(ctx, uri, target, stop.signal).catch((err: Error) => ctx.log.warn('event subscription stopped', { uri, error: err.message }));
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
