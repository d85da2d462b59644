// What the server derives from a catalog entry: the agent-facing input schema, annotations and _meta.
import { z } from 'zod';
import type { ToolDef } from '../../tools/define.js';
import { ALL_APPS, AllApps, RAW_SERIES, RawSeries } from '../../tools/fields.js';

/** Parameter names that carry the app ID (DescribeTrtcRoomUsage spells it SdkAppid, CreateAudioModerationSync Sdkappid). */
const APP_ID_FIELDS = ['SdkAppId', 'SdkAppid', 'Sdkappid'] as const;
export type AppIdField = (typeof APP_ID_FIELDS)[number];

/** The schema of the arguments agents pass: `agentInput` when the definition has one, else the wire schema. */
export const agentSchema = (def: ToolDef): z.ZodObject => def.agentInput ?? def.input;

export function appIdField(def: ToolDef): AppIdField | undefined {
  return APP_ID_FIELDS.find((f) => f in agentSchema(def).shape);
}

const inputCache = new WeakMap<ToolDef, z.ZodObject>();

const confirmationToken = z.string().max(200).optional().describe('Token from a confirmation request');

/**
 * The schema agents see and the server validates against: the wire schema, with the app ID optional
 * (the server fills it from its configuration), AllApps where the docs allow every app at once, RawSeries where the
 * answer holds time series, a confirmationToken on every mutating tool (consent policy is runtime configuration),
 * and unknown keys rejected rather than silently dropped.
 */
export function toolInputSchema(def: ToolDef): z.ZodObject {
  let schema = inputCache.get(def);
  if (!schema) {
    const field = appIdField(def);
    let base = field ? agentSchema(def).partial({ [field]: true } as never) : agentSchema(def);
    if (def.accountWide) base = base.extend({ [ALL_APPS]: AllApps.optional() });
    if (def.series) base = base.extend({ [RAW_SERIES]: RawSeries.optional() });
    if (def.effect !== 'read') base = base.extend({ confirmationToken });
    inputCache.set(def, (schema = base.strict()));
  }
  return schema;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** All four hints, always explicit: clients assume the worst for any that is missing. */
export function annotationsOf(def: ToolDef): ToolAnnotations {
  return {
    readOnlyHint: def.effect === 'read',
    destructiveHint: def.effect === 'destructive',
    idempotentHint: def.effect === 'read' || def.idempotent,
    openWorldHint: true,
  };
}

/** Names the underlying API (Cloud API action, or REST service/command), so a client can tell what a tool calls. */
export function metaOf(def: ToolDef): { api: string } {
  return { api: def.api.kind === 'cloud' ? def.api.action : `v4/${def.api.service}/${def.api.command}` };
}
