// Validates elicitation answers. MCP restricts elicitation schemas to flat objects of primitive properties
// (string, number, integer, boolean, string enums), so this small checker covers them; it spares every session an
// Ajv instance (about 0.5 ms each) and the server bundle the whole of Ajv.
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

type Prop = { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; minLength?: number; maxLength?: number };

function problem(schema: JsonSchemaType, input: unknown): string | undefined {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return 'the answer must be an object';
  const value = input as Record<string, unknown>;
  for (const name of (schema.required as string[] | undefined) ?? []) if (value[name] === undefined) return `${name} is required`;
  for (const [name, raw] of Object.entries((schema.properties ?? {}) as Record<string, Prop>)) {
    const v = value[name];
    if (v === undefined) continue;
    const p = raw ?? {};
    const kind = p.type === 'integer' ? (Number.isInteger(v) ? 'integer' : typeof v) : typeof v;
    if (p.type && kind !== p.type) return `${name} must be ${p.type}`;
    if (p.enum && !p.enum.includes(v)) return `${name} must be one of ${p.enum.join(', ')}`;
    if (typeof v === 'number' && ((p.minimum !== undefined && v < p.minimum) || (p.maximum !== undefined && v > p.maximum))) return `${name} is out of range`;
    if (typeof v === 'string' && ((p.minLength !== undefined && v.length < p.minLength) || (p.maxLength !== undefined && v.length > p.maxLength))) return `${name} has the wrong length`;
  }
  return undefined;
}

export class ElicitationSchemaValidator implements jsonSchemaValidator {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    return (input) => {
      const error = problem(schema, input);
      return error ? { valid: false, data: undefined, errorMessage: error } : { valid: true, data: input as T, errorMessage: undefined };
    };
  }
}
