// The catalog: every tool the server can expose. A new action is one definition in its group's file.
import type { ToolDef } from './define.js';
import * as dashboard from './dashboard.js';
import * as quality from './quality.js';
import * as room from './room.js';
import * as usage from './usage.js';

export const CATALOG: readonly ToolDef[] = [room, quality, dashboard, usage].flatMap((group) => Object.values(group));
export type { ToolDef } from './define.js';
