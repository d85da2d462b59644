// A room's ID and its kind. TRTC keeps numeric rooms and string rooms apart, and the actions that take RoomId as
// a string say which kind it names with RoomIdType, whose values differ between actions (0 is a numeric room for
// the AI and relay actions, a string room for recording and ingest). Each RoomIdType field declares its values
// here once; the server checks every RoomId against its sibling's kind before sending, and the sandbox refuses a
// mismatch as TRTC does.
import { z } from 'zod';

/** 'int': a numeric room (1 to 4294967295); 'str': a string room. */
export type RoomKind = 'int' | 'str';

export const MAX_NUMERIC_ROOM = 4_294_967_295;

interface Kinds {
  numeric: number;
  string: number;
  /** The kind when RoomIdType is left out; without one, RoomIdType is required unless `optional`. */
  fallback?: RoomKind;
  /** RoomIdType may be left out, and the docs say nothing of what that means: the RoomId is not checked then. */
  optional?: boolean;
}

const declared = new WeakMap<z.ZodType, Kinds>();
/** Room ID fields that name one kind of room whatever their type says (RemoveUserByStrRoomId's string RoomId). */
const fixed = new WeakMap<z.ZodType, RoomKind>();

/** A room ID field that always names a string room, like the ...ByStrRoomId actions' RoomId. */
export function stringRoomId<T extends z.ZodType>(schema: T): T {
  fixed.set(schema, 'str');
  return schema;
}

/**
 * The kind of room a room ID field names by its declaration alone: declared as a string room, or an integer (only
 * numeric rooms have integer IDs); undefined when its siblings or its API must tell.
 */
export function declaredRoomKind(schema: z.ZodType): RoomKind | undefined {
  for (let s: z.ZodType | undefined = schema; s; s = (s._zod.def as { innerType?: z.ZodType }).innerType) {
    const kind = fixed.get(s);
    if (kind) return kind;
    if (s._zod.def.type === 'number') return 'int';
  }
  return undefined;
}

/** A RoomIdType field: which value names which kind, and the kind when it is left out. */
export function roomIdType(kinds: Kinds): z.ZodType {
  const words = (n: number) => (n === kinds.numeric ? 'numeric' : 'string');
  const values = [kinds.numeric, kinds.string].sort();
  const text = values.map((v) => `${v} ${words(v)} room${kinds.fallback === (v === kinds.numeric ? 'int' : 'str') ? ' (default)' : ''}`).join(', ');
  const base = z.literal(values as [number, number]);
  const field = (kinds.fallback || kinds.optional ? base.optional() : base).describe(text);
  declared.set(field, kinds);
  return field;
}

function kindsOf(schema: z.ZodType): Kinds | undefined {
  for (let s: z.ZodType | undefined = schema; s; s = (s._zod.def as { innerType?: z.ZodType }).innerType) {
    const kinds = declared.get(s);
    if (kinds) return kinds;
  }
  return undefined;
}

/** The kind of room an object's RoomId names, by its RoomIdType field as `shape` declares it. */
export function roomKindIn(shape: Record<string, z.ZodType>, value: Record<string, unknown>): RoomKind | undefined {
  const kinds = shape.RoomIdType && kindsOf(shape.RoomIdType);
  if (!kinds) return undefined;
  const given = value.RoomIdType;
  if (given === undefined) return kinds.fallback;
  return given === kinds.numeric ? 'int' : given === kinds.string ? 'str' : undefined;
}

/** The RoomIdType value that names a kind of room, by an object's RoomIdType field as `shape` declares it. */
export function roomIdTypeFor(shape: Record<string, z.ZodType>, kind: RoomKind): number | undefined {
  const kinds = shape.RoomIdType && kindsOf(shape.RoomIdType);
  return kinds && (kind === 'int' ? kinds.numeric : kinds.string);
}

export interface RoomIdProblem {
  path: Array<string | number>;
  rule: string;
}

export const isNumericRoom = (id: string) => /^[1-9]\d{0,9}$/.test(id) && Number(id) <= MAX_NUMERIC_ROOM;

/**
 * The first RoomId, at any depth of `value`, that does not fit the kind its RoomIdType names; `schema` is the
 * schema `value` already passed.
 */
export function roomIdProblem(schema: z.ZodType, value: unknown, path: Array<string | number> = []): RoomIdProblem | undefined {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; in?: z.ZodType };
  if (def.innerType) return roomIdProblem(def.innerType, value, path);
  if (def.type === 'pipe' && def.in) return roomIdProblem(def.in, value, path);
  if (def.type === 'array' && def.element && Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = roomIdProblem(def.element, item, [...path, i]);
      if (problem) return problem;
    }
  }
  if (def.type === 'object' && def.shape && value && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const kinds = def.shape.RoomIdType && kindsOf(def.shape.RoomIdType);
    if (kinds && typeof object.RoomId === 'string' && roomKindIn(def.shape, object) === 'int' && !isNumericRoom(object.RoomId)) {
      const chosen = object.RoomIdType === undefined ? 'RoomIdType left out' : `RoomIdType ${String(object.RoomIdType)}`;
      // The ID is the caller's, and may be huge: the message shows its start.
      const id = object.RoomId.length > 64 ? `${object.RoomId.slice(0, 64)}…` : object.RoomId;
      return {
        path: [...path, 'RoomId'],
        rule: `${JSON.stringify(id)} is not a numeric room ID (a whole number from 1 to ${MAX_NUMERIC_ROOM}), and ${chosen} means a numeric room. For a string room, set RoomIdType to ${kinds.string}`,
      };
    }
    for (const [key, field] of Object.entries(def.shape)) {
      const problem = roomIdProblem(field, object[key], [...path, key]);
      if (problem) return problem;
    }
  }
  return undefined;
}
