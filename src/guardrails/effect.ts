// What one call does, given its arguments: the catalog's effectOf, and, for a call that sends a bot user into a room,
// destructive when a task this server started there still runs with that bot (a user ID is unique in its room, so
// the earlier task ends).
import type { Effect, ToolDef } from '../../tools/define.js';
import { botRef } from '../../tools/tasks.js';
import { ApiError } from '../api/errors.js';
import { quote } from './consent.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import type { Lookup } from './scope.js';

export interface CallEffect {
  effect: Effect;
  /** Why, when the arguments made it worse than usual. */
  why?: string;
}

export async function effectOfCall(
  def: ToolDef,
  params: Record<string, any>,
  app: number | undefined,
  ledger: Ledger,
  catalog: ReadonlyMap<string, ToolDef>,
  lookup: Lookup | undefined,
): Promise<CallEffect> {
  if (!def.effectOf) return { effect: def.effect };
  const rule = def.effectOf.rules.find((r) => r.test(params));
  const byArgs: CallEffect = rule ? { effect: rule.effect, why: rule.when } : { effect: def.effectOf.otherwise };
  if (byArgs.effect === 'destructive' || !def.bot) return byArgs;
  const bot = def.bot(params);
  const entry = await ledger.find(botRef(bot), app);
  if (!entry?.task || !(await stillRuns(entry, catalog, lookup))) return byArgs;
  return {
    effect: 'destructive',
    why: `bot user ${quote(bot.userId)} already runs task ${quote(entry.task)} in room ${quote(bot.room)}, started by this server; a user ID is unique in its room, so that task ends`,
  };
}

/** Whether the task may still run: asked of its describe read when there is one and lookups may be sent; else assumed. */
async function stillRuns(entry: LedgerEntry, catalog: ReadonlyMap<string, ToolDef>, lookup: Lookup | undefined): Promise<boolean> {
  const describe = entry.describe ? catalog.get(entry.describe) : undefined;
  if (!describe?.running || !lookup) return true;
  try {
    return describe.running(await lookup(describe, { SdkAppId: entry.app, TaskId: entry.task }, entry.app));
  } catch (err) {
    // A task the service no longer knows has ended; any other failure leaves the question open.
    return !(err instanceof ApiError && /NotExist|NotFound|TaskId|TaskFinished/.test(err.code));
  }
}
