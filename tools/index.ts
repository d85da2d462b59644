// The catalog: every tool the server can expose. A new action is one definition in its group's file.
import type { ToolDef } from './define.js';
import * as room from './room.js';

export const CATALOG: readonly ToolDef[] = [room].flatMap((group) => Object.values(group));
export type { ToolDef } from './define.js';
