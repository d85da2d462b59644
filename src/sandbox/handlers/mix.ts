// Room mixing (by room ID) and mixing pictures. A mix needs an active room and ends with it; starting it again
// changes the running mix. Picture IDs count up per app, and a mix may only name pictures the app has.
import { roomKey, type RoomKind, type World } from '../world.js';
import type { Thing } from '../registry.js';
import { activeRoom, SandboxError, type Handler, type HandlerContext } from './types.js';

const PICTURE_SUFFIXES = /^(png|jpe?g|bmp)$/i;
const MAX_PICTURE_BYTES = 2 * 1024 * 1024;

/** Every picture ID a mix request names. */
function pictureIds(p: Record<string, any>): number[] {
  const layout = p.LayoutParams ?? {};
  return [p.EncodeParams?.BackgroundImageId, layout.WaterMarkParams?.WaterMarkUrl ? undefined : layout.WaterMarkParams?.WaterMarkId, ...(layout.PresetLayoutConfig ?? []).map((c: { PlaceImageId?: number }) => c.PlaceImageId)].filter(
    (id): id is number => id !== undefined && id !== 0,
  );
}

const mixKey = (sdkAppId: number, kind: RoomKind, id: number | string) => `mix:${sdkAppId}:${roomKey(kind, id)}`;

const watched = new WeakSet<World>();
/** A mix ends when its room closes, whoever closes it. */
function endWithRoom(world: World): void {
  if (watched.has(world)) return;
  watched.add(world);
  world.onEvent((app, e) => {
    const mix = e.type === 'closed' || e.type === 'dismissed' ? world.things.get(app.sdkAppId, 'mix', mixKey(app.sdkAppId, e.kind, e.roomId)) : undefined;
    if (mix) world.things.delete(mix);
  });
}

function start(kind: RoomKind, field: 'RoomId' | 'StrRoomId'): Handler {
  return (ctx) => {
    const roomId = ctx.params[field];
    activeRoom(ctx, kind, roomId);
    for (const id of pictureIds(ctx.params)) {
      if (!ctx.world.things.get(ctx.app.sdkAppId, 'picture', id)) throw new SandboxError('InvalidParameter', `Picture ${id} does not exist in app ${ctx.app.sdkAppId}; upload it with CreatePicture.`);
    }
    endWithRoom(ctx.world);
    const { SdkAppId: _app, [field]: _room, ...settings } = ctx.params;
    const key = mixKey(ctx.app.sdkAppId, kind, roomId);
    const running = ctx.world.things.get(ctx.app.sdkAppId, 'mix', key);
    if (running) ctx.world.things.delete(running);
    ctx.world.things.add(ctx.app.sdkAppId, 'mix', { room: roomKey(kind, roomId), ...settings }, ctx.world.now(), key);
    return {};
  };
}

/** Stopping a room that is not mixed changes nothing and is not an error. */
function stop(kind: RoomKind, field: 'RoomId' | 'StrRoomId'): Handler {
  return (ctx) => {
    const mix = ctx.world.things.get(ctx.app.sdkAppId, 'mix', mixKey(ctx.app.sdkAppId, kind, ctx.params[field]));
    if (mix) ctx.world.things.delete(mix);
    return {};
  };
}

function picture(ctx: HandlerContext): Thing {
  const t = ctx.world.things.get(ctx.app.sdkAppId, 'picture', ctx.params.PictureId);
  if (!t) throw new SandboxError('ResourceNotFound', `Picture ${ctx.params.PictureId} does not exist in app ${ctx.app.sdkAppId}.`);
  return t;
}

const pictureOf = (t: Thing) => ({ PictureId: Number(t.id), SdkAppId: t.sdkAppId, Height: t.data.Height, Width: t.data.Width, XPosition: t.data.XPosition, YPosition: t.data.YPosition });

export const mixHandlers: Record<string, Handler> = {
  StartMCUMixTranscode: start('int', 'RoomId'),
  StartMCUMixTranscodeByStrRoomId: start('str', 'StrRoomId'),
  StopMCUMixTranscode: stop('int', 'RoomId'),
  StopMCUMixTranscodeByStrRoomId: stop('str', 'StrRoomId'),

  CreatePicture(ctx) {
    const { Content, Suffix, Height, Width, XPosition, YPosition } = ctx.params;
    if (!PICTURE_SUFFIXES.test(Suffix)) throw new SandboxError('InvalidParameter', 'Suffix must be png, jpg, jpeg or bmp.');
    const bytes = Buffer.from(Content, 'base64').length;
    if (!bytes || bytes > MAX_PICTURE_BYTES) throw new SandboxError('InvalidParameter', 'Content must be a base64 picture of at most 2 MB.');
    const thing = ctx.world.things.add(ctx.app.sdkAppId, 'picture', { Suffix, Height, Width, XPosition, YPosition, bytes }, ctx.world.now(), ctx.world.things.serial('picture'));
    return { PictureId: Number(thing.id) };
  },

  DescribePicture(ctx) {
    const { PictureId, PageSize = 10, PageNo = 1 } = ctx.params;
    const all = PictureId ? [picture(ctx)] : ctx.world.things.list(ctx.app.sdkAppId, 'picture');
    return { Total: all.length, PictureInfo: all.slice((PageNo - 1) * PageSize, PageNo * PageSize).map(pictureOf) };
  },

  ModifyPicture(ctx) {
    const t = picture(ctx);
    const { Height, Width, XPosition, YPosition } = ctx.params;
    t.data = { ...t.data, ...Object.fromEntries(Object.entries({ Height, Width, XPosition, YPosition }).filter(([, v]) => v !== undefined)) };
    return {};
  },

  DeletePicture(ctx) {
    ctx.world.things.delete(picture(ctx));
    return {};
  },
};
