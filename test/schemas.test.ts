// Every tool schema must pass the strictest common client validators, and any schema change must show up as a
// visible diff: one snapshot file per tool under test/__snapshots__/tools/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../tools/index.js';
import { renderSecurityDoc, renderToolsDoc } from '../src/server/docs.js';
import { computeManifest, type JsonSchema } from '../src/server/manifest.js';

const manifest = computeManifest();
const PROPERTY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Every rule a strict validator (Gemini, OpenAI-style) applies, as a list of violations. */
function violations(schema: unknown, path = '$'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => violations(s, `${path}[${i}]`));
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as JsonSchema;
  const out: string[] = [];
  for (const key of ['$ref', '$defs', 'definitions', 'format', '$schema']) if (key in s) out.push(`${path}: has ${key}`);
  if (Array.isArray(s.type) || s.type === 'null') out.push(`${path}: type ${JSON.stringify(s.type)}`);
  if (s.type === 'array' && !s.items) out.push(`${path}: array without items`);
  if (s.type === 'object' && !s.properties) out.push(`${path}: object without properties`);
  if (s.properties) {
    for (const [name, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      if (!PROPERTY_NAME.test(name)) out.push(`${path}: property name ${name}`);
      out.push(...violations(sub, `${path}.${name}`));
    }
  }
  for (const [k, v] of Object.entries(s)) if (k !== 'properties' && typeof v === 'object') out.push(...violations(v, `${path}.${k}`));
  return out;
}

describe('portable schemas', () => {
  it('covers the whole catalog plus the discovery, event and approval tools', () => {
    expect(manifest.length).toBe(CATALOG.length + 3 + 2 + 1);
    expect(new Set(manifest.map((t) => t.name)).size).toBe(manifest.length);
  });

  it.each(manifest.map((t) => [t.name, t] as const))('%s passes the strict validator rules', (name, tool) => {
    expect(name.length).toBeLessThanOrEqual(40);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(tool.inputSchema.type).toBe('object');
    expect(violations(tool.inputSchema)).toEqual([]);
    if (tool.outputSchema) {
      expect(tool.outputSchema.type).toBe('object');
      expect(violations(tool.outputSchema)).toEqual([]);
    }
    expect(Object.keys(tool.annotations).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
  });

  it('declares what each RoomIdType value means, wherever one sits, so that every RoomId beside it is checked', () => {
    const found: string[] = [];
    const walk = (s: unknown, path: string): void => {
      if (!s || typeof s !== 'object') return;
      const props = (s as JsonSchema).properties as Record<string, JsonSchema> | undefined;
      if (props?.RoomIdType) {
        found.push(path);
        expect(props.RoomId, path).toBeDefined();
        // The words roomIdType() writes: each value with the kind of room it names.
        expect(props.RoomIdType.description, path).toMatch(/^\d (numeric|string) room( \(default\))?, \d (numeric|string) room( \(default\))?$/);
      }
      for (const [k, v] of Object.entries(s)) walk(v, `${path}.${k}`);
    };
    for (const tool of manifest) walk(tool.inputSchema, tool.name);
    // The task actions, the relay's rooms and mixed users, and the server-started calls.
    expect(found.length).toBeGreaterThanOrEqual(8);
  });

  it('the rules catch what they should', () => {
    expect(violations({ type: 'object', properties: { a: { type: 'array' }, 'b c': { $ref: '#/x' }, d: { type: 'object' }, e: { type: 'string', format: 'uri' } } })).toEqual([
      '$.a: array without items', '$: property name b c', '$.b c: has $ref', '$.d: object without properties', '$.e: has format',
    ]);
  });
});

describe('schema snapshots', () => {
  it.each(manifest.map((t) => [t.name, t] as const))('%s', async (name, tool) => {
    await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(`__snapshots__/tools/${name}.json`);
  });
});

describe('built artefacts', () => {
  it('dist/manifest.json is what the catalog computes', () => {
    expect(JSON.parse(readFileSync(new URL('../dist/manifest.json', import.meta.url), 'utf8'))).toEqual(manifest);
  });

  it('docs/tools.md is up to date (run `npm run docs`)', () => {
    expect(readFileSync(new URL('../docs/tools.md', import.meta.url), 'utf8')).toBe(renderToolsDoc(manifest));
  });

  it("docs/security.md's effect and scope tables are up to date (run `npm run docs`)", () => {
    const doc = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
    expect(doc).toMatch(/<!-- generated: effects -->\n\| Tool \| Effect/);
    expect(doc).toMatch(/<!-- generated: scope -->\n\| Tool \| Scope/);
    expect(doc).toBe(renderSecurityDoc(doc, CATALOG));
  });
});
