// The --allow-rooms patterns. Kept apart from scope.ts, which loads the catalog, so that reading the settings at
// start-up can check them without it.
import { MAX_NUMERIC_ROOM, type RoomKind } from '../../tools/room-id.js';

export interface RoomPattern {
  kind: RoomKind;
  re: RegExp;
}

/** Whether a text is a numeric room's ID (1 to 4294967295, no leading zero). */
export const isNumericText = (id: string) => /^[1-9]\d{0,9}$/.test(id) && Number(id) <= MAX_NUMERIC_ROOM;

/**
 * One --allow-rooms pattern: `str:GLOB` string rooms, `int:GLOB` numeric rooms; unprefixed, a pattern of digits and
 * `*` means numeric rooms and any other means string rooms. `*` matches any characters. Returns why it is not one.
 */
export function parseRoomPattern(text: string): RoomPattern | string {
  const m = /^(str|int):(.*)$/.exec(text);
  const glob = m ? m[2]! : text;
  if (!glob) return `${JSON.stringify(text)} names no room`;
  if (!m && /^\*+$/.test(glob)) return `${JSON.stringify(text)} could mean numeric or string rooms: write int:* for every numeric room, str:* for every string room`;
  const kind: RoomKind = m ? (m[1] as RoomKind) : /^[\d*]+$/.test(glob) ? 'int' : 'str';
  if (kind === 'int' && !/^[\d*]+$/.test(glob)) return `${JSON.stringify(text)}: a numeric room pattern has only digits and *`;
  return { kind, re: new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) };
}

