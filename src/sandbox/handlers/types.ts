// What a sandbox action handler receives and how it fails.
import type { Site } from '../../../tools/define.js';
import type { App, Room, RoomKind, World } from '../world.js';

export interface HandlerContext {
  world: World;
  /** The app the request addresses (for an account-wide request, the first of `apps`). */
  app: App;
  /** The apps the request covers: its app, or for an account-wide request without SdkAppId, every app of the account. */
  apps: readonly App[];
  /** Parameters already checked against the catalog's wire schema. */
  params: Record<string, any>;
  /** The site the sandbox plays, when not the international one (some limits differ between sites). */
  site?: Site;
}

/** A handler answers a streamed action by returning its events under this key. */
export const STREAM = Symbol('stream');

/** Returns the action's response fields (RequestId is added by the protocol layer). */
export type Handler = (ctx: HandlerContext) => Record<string, unknown> | { [STREAM]: Array<Record<string, unknown>> };

/** A documented error answer. */
export class SandboxError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export function activeRoom({ world, app }: HandlerContext, kind: RoomKind, id: number | string): Room {
  const room = world.room(app, kind, id);
  if (!room) throw new SandboxError('FailedOperation.RoomNotExist', `Room ${JSON.stringify(id)} is not active in app ${app.sdkAppId}.`);
  return room;
}
