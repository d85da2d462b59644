// Fields and hook helpers shared by the long-running task tools (recording, relay, ingest, AI).
import { z } from 'zod';
import { describeIssues } from '../src/validation.js';
import { ArgumentError, type BotEntry, type JobSpec, type JobState, type Started, type TargetRef, type WireEnv } from './define.js';
import { RequestId } from './fields.js';

export const TaskId = z.string().min(1);
export const TaskOutput = z.object({ TaskId: z.string(), RequestId });

/** Task rooms are addressed by a string RoomId whatever their type; RoomIdType says which namespace. */
export const TaskRoomId = z.string().min(1);

/** The UserSig of a bot on the wire, and as agents see it: optional, because the server mints one. */
export const UserSig = z.string().min(1);
export const BotUserSig = UserSig.optional().describe('Omit: the server mints it');

type Shape = Record<string, z.ZodType>;

/**
 * A structure that carries a bot's UserSig, and its agent-facing twin where the UserSig may be left out
 * because the server mints it. Both are strict, so a misspelt member is an error rather than silently dropped.
 */
export function withBotSig<S extends Shape>(shape: S, refine?: (v: any, ctx: z.RefinementCtx) => void) {
  const agentShape = { ...shape, UserSig: BotUserSig };
  const wire = z.strictObject(shape);
  const agent = z.strictObject(agentShape);
  return refine ? { wire: wire.superRefine(refine), agent: agent.superRefine(refine) } : { wire, agent };
}

/**
 * The schemas and hook of a start whose bot is named by top-level UserId and UserSig: agents may leave the UserSig
 * out, and the server mints it.
 */
export function mintedBot<S extends Shape & { UserId: z.ZodType; UserSig: z.ZodType }>(shape: S) {
  return {
    input: z.object(shape),
    agentInput: z.object({ ...shape, UserSig: BotUserSig }),
    toWire: (args: Record<string, any>, env: WireEnv) => ({ ...args, UserSig: botSig(env, 'UserSig', args.UserId, args.UserSig) }),
  };
}

/** The bot's UserSig: the one the agent gave, else a freshly minted one, else an error naming the field. */
export function botSig(env: WireEnv, field: string, userId: string, given: string | undefined): string {
  if (given) return given;
  const minted = env.mintUserSig?.(userId);
  if (!minted) {
    throw new ArgumentError(field, 'is required: this server cannot mint UserSigs for this app (TRTC_SDK_SECRET_KEY is unset or belongs to another SdkAppId)');
  }
  return minted;
}

/** An ArgumentError for the first problem zod found in a value nested under `field`. */
export function nestedArgumentError(field: string, issues: readonly z.core.$ZodIssue[], value: unknown): ArgumentError {
  const [line] = describeIssues(issues.map((i) => ({ ...i, path: [field, ...i.path] })), { [field]: value });
  const at = line!.indexOf(': ');
  return new ArgumentError(line!.slice(0, at), line!.slice(at + 2));
}

/** Task tools name their task by TaskId. */
export const byTaskId = (args: Record<string, any>): TargetRef[] => [{ kind: 'task', id: args.TaskId }];

/** The ledger's key for a bot user in a room. */
export const botRef = (b: BotEntry): TargetRef => ({ kind: 'bot', id: JSON.stringify([b.roomKind, b.room, b.userId]) });

/**
 * What a task start leaves for the ledger: the task, the rooms it acts in, the bot whose reuse would end it (for the
 * tasks that a second bot with the same ID replaces), plus any extra names (SessionId).
 */
export function startedTask(opts: {
  bot?: (args: Record<string, any>) => BotEntry;
  extra?: (args: Record<string, any>) => TargetRef[];
  rooms?: (args: Record<string, any>) => string[];
} = {}) {
  const { bot, extra = () => [], rooms = (args) => [String(args.RoomId)] } = opts;
  return (response: Record<string, any>, args: Record<string, any>): Started[] => {
    if (typeof response.TaskId !== 'string' || !response.TaskId) return [];
    const placed = { rooms: rooms(args), ...(bot && { bot: botRef(bot(args)) }) };
    return [{ ref: { kind: 'task', id: response.TaskId }, ...placed }, ...extra(args).map((ref) => ({ ref, ...placed }))];
  };
}

/** What the reads of bot tasks (recording, moderation, slicing, transcription) say: Idle, InProgress or Exited. */
export function botJobState(answer: Record<string, any>): { state: JobState; words: string } {
  switch (answer.Status) {
    case 'Idle':
      return { state: 'waiting', words: 'its bot waits for someone to join the room (Idle)' };
    case 'InProgress':
      return { state: 'running', words: 'its bot is at work in the room (InProgress)' };
    case 'Exited':
      return { state: 'ended', words: 'its bot has left the room (Exited)' };
    default:
      return { state: 'running', words: `its read says Status ${JSON.stringify(answer.Status)}` };
  }
}

/** A job followed by its callbacks (when TRTC has a group for it) and by a read of the same module, ended by a stop. */
export const taskJob = (noun: string, describe: string | undefined, stop: string, group?: number, state = botJobState): JobSpec => ({
  noun, stop, ...(group !== undefined && { group }), ...(describe && { describe: { tool: describe, state } }),
});
