// Arguments for any tool that pass the server's checks, for tests that call every tool.
import type { ToolDef } from '../tools/index.js';
import { utcDate, utcMinute } from '../tools/time.js';

type Json = Record<string, any>;

/** A window each action accepts: the last ten minutes (or `seconds`), in the action's own form. */
export function recentWindow(def: ToolDef, seconds = 600): Json {
  const now = Date.now();
  switch (def.window?.form) {
    case 'unix':
      return { StartTime: Math.floor(now / 1000) - seconds, EndTime: Math.floor(now / 1000) };
    case 'date':
      return { StartTime: utcDate(now), EndTime: utcDate(now) };
    case 'minute': {
      const minute = Math.floor(now / 60_000) * 60_000;
      return { StartTime: utcMinute(minute - seconds * 1000), EndTime: utcMinute(minute) };
    }
    default:
      return {};
  }
}

/**
 * The fewest arguments a JSON Schema requires, for an action the docs give no example of. A room ID is one that
 * fits either kind of room, and a URL is one.
 */
export function minimal(schema: Json, name = ''): unknown {
  if (schema.anyOf) return minimal(schema.anyOf[0], name);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => minimal(schema.items ?? {}));
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((k: string) => [k, minimal(schema.properties[k], k)]));
    default:
      return name === 'RoomId' ? '1234' : name.endsWith('Url') ? 'https://example.com/a' : 'x';
  }
}

