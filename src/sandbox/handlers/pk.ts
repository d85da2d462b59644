// PK battle behaviour (live_engine_http_pk). A battle runs for its Duration, or until one of its rooms is destroyed.
import { randomBytes } from 'node:crypto';
import type { Battle } from '../rest-state.js';
import { SandboxError } from './types.js';
import { engineRoom, invalid, type RestContext, type RestHandler } from './rest-common.js';

const S = 'live_engine_http_pk';
/** Per-room results of create_battle, as documented. */
const JOINED = 0;
const BUSY = 3;
/** get_battle_info's Status values are not documented; the sandbox says 1 while running and 2 once over. */
const RUNNING = 1;
const OVER = 2;

function battle(ctx: RestContext): Battle {
  const b = ctx.state.battles.get(ctx.params.BattleId);
  if (!b) throw invalid(`Battle ${ctx.params.BattleId} does not exist.`);
  return b;
}

const inBattle = (ctx: RestContext, roomId: string) =>
  [...ctx.state.battles.values()].some((b) => ctx.rest.battleActive(b) && (b.fromRoom === roomId || b.toRooms.includes(roomId)));

const create_battle: RestHandler = (ctx) => {
  const { FromRoomId, ToRoomIdList, Duration } = ctx.params as { FromRoomId: string; ToRoomIdList: string[]; Duration: number };
  if (new Set(ToRoomIdList).size !== ToRoomIdList.length || ToRoomIdList.includes(FromRoomId)) {
    throw invalid('ToRoomIdList must name distinct rooms other than FromRoomId.');
  }
  for (const id of [FromRoomId, ...ToRoomIdList]) engineRoom(ctx, id, 'Live');
  if (inBattle(ctx, FromRoomId)) throw new SandboxError('100415', `Room ${FromRoomId} is already in a battle.`);
  const Result = ToRoomIdList.map((RoomId) =>
    inBattle(ctx, RoomId)
      ? { RoomId, ResultCode: BUSY, ResultMessage: 'already in another battle' }
      : { RoomId, ResultCode: JOINED, ResultMessage: '' },
  );
  const joined = Result.filter((r) => r.ResultCode === JOINED).map((r) => r.RoomId);
  if (joined.length === 0) throw new SandboxError('100412', 'Every invited room is already in a battle.');
  const now = ctx.world.now();
  const rooms = [FromRoomId, ...joined];
  const b: Battle = {
    id: `battle_${randomBytes(8).toString('hex')}`,
    fromRoom: FromRoomId,
    toRooms: joined,
    durationMs: Duration,
    startedAt: now,
    endsAt: now + Duration,
    scores: new Map(rooms.map((r) => [r, 0])),
    owners: new Map(rooms.map((r) => [r, ctx.state.rooms.get(r)!.owner])),
  };
  ctx.state.battles.set(b.id, b);
  return { Response: { BattleId: b.id, Result } };
};

const get_battle_info: RestHandler = (ctx) => {
  const b = battle(ctx);
  const { RoomId } = ctx.params;
  if (RoomId !== undefined && !b.scores.has(RoomId)) throw invalid(`Room ${RoomId} is not in battle ${b.id}.`);
  const info = (id: string) => ({ RoomId: id, Score: b.scores.get(id) ?? 0, Owner_Account: b.owners.get(id) ?? '' });
  return {
    Response: {
      BattleId: b.id,
      Duration: b.durationMs,
      StartTime: Math.floor(b.startedAt / 1000),
      EndTime: Math.floor((b.endedAt ?? b.endsAt) / 1000),
      Status: ctx.rest.battleActive(b) ? RUNNING : OVER,
      FromRoomInfo: info(b.fromRoom),
      ToRoomList: b.toRooms.map(info),
    },
  };
};

const set_battle_score: RestHandler = (ctx) => {
  const b = battle(ctx);
  const Result = (ctx.params.ScoreList as Array<{ RoomId: string; Score: number }>).map(({ RoomId, Score }) => {
    if (!b.scores.has(RoomId)) return { RoomId, ResultCode: 1 };
    b.scores.set(RoomId, ctx.params.OpType === 1 ? b.scores.get(RoomId)! + Score : Score);
    return { RoomId, ResultCode: 0 };
  });
  return { Response: { Result } };
};

export const pkHandlers: Record<string, RestHandler> = {
  [`${S}/create_battle`]: create_battle,
  [`${S}/get_battle_info`]: get_battle_info,
  [`${S}/set_battle_score`]: set_battle_score,
};
