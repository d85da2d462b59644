// Read-only reference material for agents and the people who set them up, under stable trtc:// URIs.
import type { ReadResourceResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { regionsOn, servedOn } from '../../tools/define.js';
import { CLOUD_DOMAINS } from '../config.js';
import { hintFor, restMeaning } from '../api/errors.js';
import { portable } from './tool-list.js';
import type { ServerContext } from './pipeline.js';
import { loadCatalog } from './registry.js';
import { own } from '../../tools/own.js';
import type { RoomKind } from '../../tools/room-id.js';
import { appInScope, inScope, room, roomInScope, roomsInValue, scopeIsSet, scopeRefusal, type ScopeConfig } from '../guardrails/scope.js';

/** Region IDs and the place each names (from the docs' region and endpoint lists). */
const REGION_NAMES: Record<string, string> = {
  'ap-bangkok': 'Bangkok', 'ap-beijing': 'Beijing', 'ap-chengdu': 'Chengdu', 'ap-chongqing': 'Chongqing',
  'ap-guangzhou': 'Guangzhou', 'ap-hongkong': 'Hong Kong', 'ap-jakarta': 'Jakarta', 'ap-mumbai': 'Mumbai',
  'ap-seoul': 'Seoul', 'ap-shanghai': 'Shanghai', 'ap-singapore': 'Singapore', 'ap-tokyo': 'Tokyo',
  'eu-frankfurt': 'Frankfurt', 'na-ashburn': 'Virginia', 'na-siliconvalley': 'Silicon Valley', 'na-toronto': 'Toronto',
};

/** What each error-code family means; the part after the dot names the specific problem. */
const FAMILIES: Array<[RegExp, string]> = [
  [/^AuthFailure/, 'Authentication or authorisation failed'],
  [/^FailedOperation/, 'The operation could not be carried out'],
  [/^InternalError/, 'Tencent had an internal error'],
  [/^InvalidParameterValue/, 'A parameter has a value outside what is allowed'],
  [/^InvalidParameter/, 'A parameter is malformed or wrong'],
  [/^MissingParameter/, 'A required parameter is missing'],
  [/^UnauthorizedOperation/, 'The caller may not do this'],
  [/^RequestLimitExceeded/, 'Too many requests'],
  [/^(ResourceInsufficient|LimitExceeded)/, 'A quota or resource ran out'],
  [/^ResourceNotFound/, 'The resource does not exist'],
  [/^(ResourceUnavailable|ServiceUnavailable)/, 'The resource or service is unavailable'],
  [/^UnsupportedOperation/, 'The operation is not supported'],
  [/^UnknownParameter/, 'A parameter is not recognised'],
  [/^UnsupportedRegion/, 'The action is not served in that region'],
];

const splitWords = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase();

export function meaningOf(code: string): string {
  if (/^\d+$/.test(code)) return `${restMeaning(code) ?? 'Tencent documents no meaning for this code'}.`;
  const family = FAMILIES.find(([re]) => re.test(code))?.[1] ?? 'Error';
  const detail = code.includes('.') ? code.slice(code.indexOf('.') + 1) : '';
  return detail ? `${family}: ${splitWords(detail)}.` : `${family}.`;
}

interface ResourceDef {
  name: string;
  description: string;
  read(ctx: ServerContext): Promise<unknown>;
  sandboxOnly?: boolean;
  /** Its content changes with every write, so a copy is stale at once. */
  live?: boolean;
}

const RESOURCES: Record<string, ResourceDef> = {
  'trtc://regions': {
    name: 'Regions',
    description: 'Cloud API domains, the regions TRTC serves and which tools each region serves on the configured site',
    async read(ctx) {
      const { site } = ctx.config;
      // Only the Cloud API actions served on this site, each with its regions there.
      const cloud = [...(await loadCatalog()).values()].flatMap((d) => (d.api.kind === 'cloud' && servedOn(d.api, site) ? [{ name: d.name, regions: regionsOn(d.api, site) }] : []));
      const ids = new Set([...Object.keys(REGION_NAMES), ...cloud.flatMap((d) => d.regions ?? [])]);
      return {
        configured: { site, region: ctx.config.region, domain: ctx.config.domain },
        domains: CLOUD_DOMAINS,
        regions: [...ids].sort().map((id) => ({
          region: id,
          name: REGION_NAMES[id] ?? id,
          tools: cloud.filter((d) => !d.regions || d.regions.includes(id)).map((d) => d.name),
        })),
      };
    },
  },
  'trtc://error-codes': {
    name: 'Error codes',
    description: 'Every error code the tools can return: what it means, what to do, and which tools return it',
    async read() {
      const byCode = new Map<string, string[]>();
      for (const d of (await loadCatalog()).values()) for (const c of d.errors) byCode.set(c, [...(byCode.get(c) ?? []), d.name]);
      return {
        codes: [...byCode.keys()].sort().map((code) => ({ code, meaning: meaningOf(code), whatToDo: hintFor(code), tools: byCode.get(code) })),
      };
    },
  },
  'trtc://event-ids': {
    name: 'Event and metric meanings',
    description: 'What the numbers in monitoring answers and callbacks mean: DescribeUserEvent event IDs, abnormal experiences and events, quality metrics, dashboard columns, callback event groups, types and codes',
    async read() {
      const m = await import('../../tools/meanings.js');
      return {
        userEvents: m.eventReference(),
        abnormalExperiences: m.EXPERIENCES,
        abnormalEvents: m.ABNORMAL_EVENTS,
        qualityMetrics: m.METRICS,
        dashboardColumns: m.DASHBOARD_COLUMNS,
        callbackEvents: m.callbackReference(),
      };
    },
  },
  'trtc://datatypes': {
    name: 'Data types',
    description: 'JSON Schemas of the nested structures the task tools take (RecordParams, StorageParams, McuLayoutParams, AgentConfig, STTConfig, ModerationParams, Voice, ...)',
    async read() {
      const modules = await Promise.all([
        import('../../tools/datatypes/recording.js'), import('../../tools/datatypes/mcu.js'), import('../../tools/datatypes/ai.js'),
        import('../../tools/datatypes/slicing.js'), import('../../tools/datatypes/speech.js'),
      ]);
      const types: Record<string, unknown> = {};
      for (const mod of modules) {
        for (const [name, value] of Object.entries(mod)) {
          // A structure that carries a bot UserSig has a wire form and an agent form; the wire form is the data type.
          const schema = value instanceof z.ZodType ? value : (value as { wire?: unknown })?.wire;
          if (schema instanceof z.ZodType) types[name] = portable(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
        }
      }
      return types;
    },
  },
  'trtc://toolsets': {
    name: 'Toolsets',
    description: 'The toolsets, their tools and their effects; choose the listed ones with --toolsets. Tools of the other site only are marked unavailable',
    async read(ctx) {
      const sets: Record<string, Array<{ name: string; effect: string; available?: false }>> = {};
      for (const d of (await loadCatalog()).values()) {
        (sets[d.toolset] ??= []).push({ name: d.name, effect: d.effect, ...(!servedOn(d.api, ctx.config.site) && { available: false as const }) });
      }
      const { eventInputs, EVENTS_TOOLSET } = await import('../events/tools.js');
      sets[EVENTS_TOOLSET] = Object.keys(eventInputs).map((name) => ({ name, effect: 'read' }));
      const listed = new Set(ctx.config.toolsets);
      return Object.entries(sets).map(([toolset, tools]) => ({ toolset, listed: listed.has('all') || listed.has(toolset), tools }));
    },
  },
  'trtc://sandbox/world': {
    name: 'Sandbox world',
    description: 'The local emulator\'s current apps, rooms (with what each is there to try), users (poor connections, audience) and bot tasks; docs/sandbox.md tells its stories',
    sandboxOnly: true,
    live: true,
    async read(ctx) {
      const world = ctx.sandbox?.world?.() as WorldView | undefined;
      return world && scopeIsSet(ctx.config) ? scopedWorld(ctx.config, world) : world;
    },
  },
};

/** What the world resource needs of the sandbox's snapshot to leave out what is outside the scope. */
interface WorldView {
  apps: Array<{ sdkAppId: number; rooms: Array<{ roomId: string | number; idType: 'numeric' | 'string' }> }>;
  tasks: Array<{ sdkAppId: number; roomId: string; roomKind: RoomKind }>;
  things: Array<{ sdkAppId: number; data?: unknown }>;
}

/** The sandbox world as this server may show it: apps, rooms, tasks and things outside the scope are left out. */
function scopedWorld(config: ScopeConfig, w: WorldView): WorldView {
  return {
    ...w,
    apps: w.apps.filter((a) => appInScope(config, a.sdkAppId)).map((a) => ({
      ...a,
      rooms: a.rooms.filter((r) => roomInScope(config, room(String(r.roomId), r.idType === 'numeric' ? 'int' : 'str'))),
    })),
    tasks: w.tasks.filter((t) => inScope(config, { app: t.sdkAppId, room: room(t.roomId, t.roomKind) })),
    things: w.things.filter((t) => scopeRefusal(config, t.sdkAppId, roomsInValue(t.data)) === undefined),
  };
}

export function listResources(ctx: ServerContext): Resource[] {
  return Object.entries(RESOURCES)
    .filter(([, r]) => !r.sandboxOnly || ctx.sandbox)
    .map(([uri, r]) => ({ uri, name: r.name, description: r.description, mimeType: 'application/json' }));
}

/** Whether a resource's content changes as the server works (everything else is fixed for a configuration). */
export const isLive = (uri: string) => RESOURCES[uri]?.live === true;

export async function readResource(ctx: ServerContext, uri: string): Promise<ReadResourceResult | undefined> {
  const r = own(RESOURCES, uri);
  if (!r || (r.sandboxOnly && !ctx.sandbox)) return undefined;
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(await r.read(ctx), null, 2) }] };
}

