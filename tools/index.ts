// The catalog: every tool the server can expose. A new action is one definition in its group's file.
import type { ToolDef } from './define.js';
import * as ai from './ai.js';
import * as ingest from './ingest.js';
import * as record from './record.js';
import * as relay from './relay.js';
import * as room from './room.js';

export const CATALOG: readonly ToolDef[] = [room, record, relay, ingest, ai].flatMap((group) => Object.values(group));
export type { ToolDef } from './define.js';
