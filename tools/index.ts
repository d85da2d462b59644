// The catalog: every tool the server can expose. A new action is one definition in its group's file.
import * as call from './call.js';
import * as conference from './conference.js';
import { TOOLSETS, type ToolDef } from './define.js';
import * as ai from './ai.js';
import * as dashboard from './dashboard.js';
import * as gift from './gift.js';
import * as ingest from './ingest.js';
import * as live from './live.js';
import * as mix from './mix.js';
import * as moderation from './moderation.js';
import * as pk from './pk.js';
import * as quality from './quality.js';
import * as record from './record.js';
import * as relay from './relay.js';
import * as room from './room.js';
import * as seat from './seat.js';
import * as slice from './slice.js';
import * as speech from './speech.js';
import * as transcription from './transcription.js';
import * as usage from './usage.js';
import * as webrecord from './webrecord.js';

const groups = [
  room, record, relay, ingest, ai, quality, dashboard, usage, moderation, slice, webrecord, transcription, speech, mix,
  live, gift, seat, pk, call, conference,
];

/** Ordered by toolset, then name, so every consumer (server, docs, snapshots) sees the same order. */
export const CATALOG: readonly ToolDef[] = groups
  .flatMap((group) => Object.values(group))
  .sort((a, b) => TOOLSETS.indexOf(a.toolset) - TOOLSETS.indexOf(b.toolset) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
export type { ToolDef } from './define.js';
