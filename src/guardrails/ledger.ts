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
      if (s.bot && s.ref.kind === 'task') await this.put(s.bot, app, { ...placed, task: s.ref.id, describe });
    }
  }
}
