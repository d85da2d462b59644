// A RoomId of digits names two rooms, a numeric one and a string one, and RoomIdType picks which; its values differ
// between actions (0 is a numeric room for AI and relay, a string room for recording), so a task started with another
// action's convention waits in an empty room while the people are in its twin, and nothing fails. Where the server
// can tell without asking Tencent anything more, the answer says so: the in-process sandbox knows who is in every
// room, so a start says it at once; against Tencent, a task's read that answers Idle (nobody to serve) is checked
// against the room the ledger recorded when the task started.
import type { ToolDef } from '../../tools/define.js';
import { isNumericRoom, roomIdTypeFor, roomKindIn, type RoomKind } from '../../tools/room-id.js';
import type { Ledger } from '../guardrails/ledger.js';
import type { ServerContext } from './pipeline.js';

const other = (kind: RoomKind): RoomKind => (kind === 'int' ? 'str' : 'int');
const roomName = (kind: RoomKind, room: string) => (kind === 'int' ? `numeric room ${room}` : `string room ${JSON.stringify(room)}`);
const kindWord = (kind: RoomKind) => (kind === 'int' ? 'a numeric room' : 'a string room');

/** What RoomIdType means for `start`, and the value that would have named the twin. */
function convention(start: ToolDef, kind: RoomKind): string {
  const shape = start.input.shape;
  const [here, there] = [roomIdTypeFor(shape, kind), roomIdTypeFor(shape, other(kind))];
  return `for ${start.name}, RoomIdType ${here} means ${kindWord(kind)} and ${there} ${kindWord(other(kind))}; other tools read it the other way round`;
}

/**
 * A note for an answer whose task sits in an empty room while the room of the same ID and the other kind has people,
 * or undefined. `answer` is the answer as it came; `app` the app of the call.
 */
export async function roomKindNote(
  ctx: ServerContext, def: ToolDef, params: Record<string, any>, answer: Record<string, unknown>, app: number | undefined,
  ledger: Ledger, catalog: ReadonlyMap<string, ToolDef>,
): Promise<string | undefined> {
  if (app === undefined) return undefined;
  const people = ctx.sandbox?.people;
  // A start in a room named by RoomId and RoomIdType: only the sandbox can tell who is there.
  const named = def.input.shape.RoomIdType ? roomKindIn(def.input.shape, params) : undefined;
  if (def.started && named) {
    const [roomKind, room] = [named, String(params.RoomId)];
    if (!people || !isNumericRoom(room) || people(app, roomKind, room) > 0) return undefined;
    const twin = people(app, other(roomKind), room);
    if (!twin) return undefined;
    const empty = roomName(roomKind, room);
    return `${empty[0]!.toUpperCase()}${empty.slice(1)} is empty, while ${roomName(other(roomKind), room)} has ${twin} user${twin === 1 ? '' : 's'}: ${convention(def, roomKind)}. If you meant them, stop this task and start it again with RoomIdType ${roomIdTypeFor(def.input.shape, other(roomKind))}.`;
  }
  // A read that says a task waits for someone: the ledger knows the room it was started in.
  if (answer.Status !== 'Idle' || typeof params.TaskId !== 'string') return undefined;
  const start = [...catalog.values()].find((d) => d.job?.describe?.tool === def.name && d.input.shape.RoomIdType);
  if (!start) return undefined;
  // A note is a courtesy: a store that cannot answer leaves it out, and the answer stands.
  const entry = await ledger.find({ kind: 'task', id: params.TaskId }, app).catch(() => undefined);
  const room = entry?.rooms[0];
  const kind = room === undefined ? undefined : entry?.kinds?.[room];
  if (room === undefined || !kind || !isNumericRoom(room)) return undefined;
  const fix = `stop this task and start it again with RoomIdType ${roomIdTypeFor(start.input.shape, other(kind))}`;
  if (people) {
    const twin = people(app, other(kind), room);
    return twin ? `Idle: nobody is in ${roomName(kind, room)}, where this task's bot waits, while ${roomName(other(kind), room)} has ${twin} user${twin === 1 ? '' : 's'}: ${convention(start, kind)}. If you meant them, ${fix}.` : undefined;
  }
  return `Idle: nobody is in ${roomName(kind, room)}, where this task's bot waits. If the people you meant are in ${roomName(other(kind), room)}, the task was started in the wrong room (${convention(start, kind)}): ${fix}.`;
}
