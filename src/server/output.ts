// The schema of a tool's answer as clients see it, and the guarantee that structuredContent always matches it.
// Tencent's own SDKs treat every response field as optional, and its documented examples leave fields out, so the
// published schema requires nothing: each documented field keeps its type, and a list of values becomes its base
// type (Tencent may add values; the known ones stay in the description).
import { z } from 'zod';
import type { ToolDef } from '../../tools/define.js';
import { fieldPath } from '../validation.js';

const cache = new WeakMap<ToolDef, z.ZodObject>();

/** Every field optional at every depth, with its documented type. */
export function toolOutputSchema(def: ToolDef): z.ZodObject {
  let schema = cache.get(def);
  if (!schema) cache.set(def, (schema = lenient(def.output) as z.ZodObject));
  return schema;
}

type Def = z.core.$ZodTypeDef & Record<string, any>;

function lenient(schema: z.ZodType, description = schema.description): z.ZodType {
  const def = schema._zod.def as Def;
  const described = (s: z.ZodType) => (description ? s.describe(description) : s);
  switch (def.type) {
    case 'optional':
      return lenient(def.innerType, description ?? def.innerType.description);
    case 'nullable':
      return described(lenient(def.innerType).nullable());
    case 'object':
      return described(z.object(Object.fromEntries(Object.entries(def.shape as Record<string, z.ZodType>).map(([k, v]) => [k, lenient(v).optional()]))));
    case 'array':
      return described(z.array(lenient(def.element)));
    case 'record':
      return described(z.record(def.keyType, lenient(def.valueType)));
    case 'union':
      return described(z.union((def.options as z.ZodType[]).map((o) => lenient(o))));
    case 'enum':
    case 'literal': {
      const values: unknown[] = def.type === 'enum' ? Object.values(def.entries) : def.values;
      const known = `Known values: ${values.map(String).join(', ')}`;
      const base = values.every((v) => typeof v === 'string') ? z.string() : values.every((v) => typeof v === 'number') ? z.number() : z.unknown();
      return base.describe(description ? `${description}. ${known}` : known);
    }
    case 'string':
      return described(z.string());
    case 'number':
      return described((schema as z.ZodNumber).isInt ? z.int() : z.number());
    case 'boolean':
      return described(z.boolean());
    default:
      return schema;
  }
}

export interface Dropped {
  /** Where it was, as a path. */
  field: string;
  rule: string;
  value: unknown;
}

/**
 * The answer with every member that breaks the schema left out, and what was left out. Every member is optional,
 * so leaving one out always fixes it. An item of a list that is not even of the item's type takes the list along,
 * since a list with gaps would say something the service did not.
 */
export function conform(schema: z.ZodType, answer: Record<string, unknown>): { value: Record<string, unknown>; dropped: Dropped[] } {
  let value = answer;
  const dropped: Dropped[] = [];
  for (;;) {
    const check = schema.safeParse(value);
    if (check.success) return { value, dropped };
    value = structuredClone(value);
    let removed = 0;
    for (const issue of check.error.issues) {
      const at = issue.path.findLastIndex((k) => typeof k === 'string');
      if (at < 0) continue;
      const path = issue.path.slice(0, at + 1);
      const parent = path.slice(0, -1).reduce<any>((v, k) => v?.[k as PropertyKey], value);
      const key = path[at] as string;
      if (!parent || typeof parent !== 'object' || !(key in parent)) continue;
      dropped.push({ field: fieldPath(path), rule: issue.message, value: parent[key] });
      delete parent[key];
      removed++;
    }
    // Nothing left to remove: an answer that is not an object at all.
    if (!removed) return { value: {}, dropped: [...dropped, { field: '(answer)', rule: 'is not an object', value }] };
  }
}
