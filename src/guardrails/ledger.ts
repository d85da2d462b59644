// The ledger of what this server started: every task, call and PK battle a tool creates, with its app and rooms,
// and what lookups found out about targets it did not start. It lives in the store, so it survives restarts and is
// shared by every process using the same store; entries expire.
import type { Placement, Started, TargetRef } from '../../tools/define.js';
import { NS, type Store } from '../store/index.js';

/** How long an entry is kept: the longest a task stays addressable (a recording, up to 720 hours), and a day more. */
export const LEDGER_TTL_MS = 31 * 24 * 3_600_000;

/** A ledger entry: where the target lives; for a bot, the task it runs and the read that describes that task. */
export interface LedgerEntry extends Placement {
  task?: string;
  describe?: string;
}

/** TaskIds are unique across apps; every other ID is only unique within its app. */
const keyOf = (ref: TargetRef, app: number | undefined) => (ref.kind === 'task' ? `task\n${ref.id}` : `${ref.kind}\n${app ?? ''}\n${ref.id}`);

/** A bot this server sent into a room, and the task it runs. */
export interface RoomBot {
  userId: string;
  task: string;
  describe?: string;
}
/** Bots a room has had from this server, for views of the room (the room console); a guide, never a guard. */
const MAX_ROOM_BOTS = 20;
const roomKey = (app: number, kind: string, room: string) => `bots\n${app}\n${kind}\n${room}`;
/** A bot's room and user, from its reference ([room kind, room, user ID], as tools/tasks.ts writes it). */
function botPlace(id: string): { kind: string; room: string; userId: string } | undefined {
  try {
    const v = JSON.parse(id) as unknown;
    return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string') ? { kind: v[0], room: v[1], userId: v[2] } : undefined;
  } catch {
    return undefined;
  }
}

export class Ledger {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  find(ref: TargetRef, app: number | undefined): Promise<LedgerEntry | undefined> {
    return this.store.get<LedgerEntry>(NS.ledger, keyOf(ref, app));
  }

  put(ref: TargetRef, app: number | undefined, entry: LedgerEntry): Promise<void> {
    return this.store.put(NS.ledger, keyOf(ref, app), entry, this.now() + LEDGER_TTL_MS);
  }

  /**
   * Records what a call started, with the kinds of its rooms as the call named them; a task's bot is recorded too,
   * with the read that tells whether the task still runs.
   */
  async recordStarted(started: readonly Started[], app: number, describe: string | undefined, kindsOf: (rooms: string[]) => Placement['kinds'] = () => undefined): Promise<void> {
    for (const s of started) {
      const kinds = kindsOf(s.rooms);
      const placed = { app, rooms: s.rooms, ...(kinds && { kinds }) };
      await this.put(s.ref, app, placed);
      if (s.bot && s.ref.kind === 'task') {
        await this.put(s.bot, app, { ...placed, task: s.ref.id, describe });
        const bot = botPlace(s.bot.id);
        if (!bot) continue;
        const key = roomKey(app, bot.kind, bot.room);
        const bots = (await this.store.get<RoomBot[]>(NS.ledger, key)) ?? [];
        const entry: RoomBot = { userId: bot.userId, task: s.ref.id, ...(describe && { describe }) };
        await this.store.put(NS.ledger, key, [...bots.filter((b) => b.userId !== bot.userId), entry].slice(-MAX_ROOM_BOTS), this.now() + LEDGER_TTL_MS);
      }
    }
  }

  /** The bots this server sent into a room, latest of each user ID. */
  async botsIn(app: number, kind: 'int' | 'str', room: string): Promise<RoomBot[]> {
    return (await this.store.get<RoomBot[]>(NS.ledger, roomKey(app, kind, room))) ?? [];
  }
}
