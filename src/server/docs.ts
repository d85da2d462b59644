// Renders docs/tools.md from the manifest: every tool, its toolset, effect, API and parameters.
import type { JsonSchema, ManifestTool } from './tool-list.js';

const typeOf = (s: JsonSchema): string => {
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(' \\| ');
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(typeOf).join(' or ');
  if (s.type === 'array') return `array of ${typeOf((s.items as JsonSchema) ?? {})}`;
  return String(s.type ?? 'any');
};

const bounds = (s: JsonSchema): string => {
  const parts: string[] = [];
  for (const [k, label] of [['minimum', '≥'], ['maximum', '≤'], ['minLength', 'length ≥'], ['maxLength', 'length ≤'], ['minItems', 'items ≥'], ['maxItems', 'items ≤']] as const) {
    if (s[k] !== undefined) parts.push(`${label} ${String(s[k])}`);
  }
  return parts.join(', ');
};

/** One row per parameter; members of nested objects get dotted names (arrays of objects use []). */
function rows(schema: JsonSchema, prefix = ''): string[] {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).flatMap(([name, s]) => {
    const full = `${prefix}${name}`;
    const row = `| \`${full}\` | ${typeOf(s)} | ${required.has(name) ? 'yes' : ''} | ${[bounds(s), String(s.description ?? '')].filter(Boolean).join('; ').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
    const nested = s.type === 'object' ? s : s.type === 'array' && (s.items as JsonSchema | undefined)?.type === 'object' ? (s.items as JsonSchema) : undefined;
    return [row, ...(nested ? rows(nested, `${full}${s.type === 'array' ? '[]' : ''}.`) : [])];
  });
}

const SITE_WORDS: Record<string, string> = { intl: 'international', cn: 'China' };

export function renderToolsDoc(manifest: readonly ManifestTool[]): string {
  const meta = (t: ManifestTool) => ({ toolset: t.toolset, api: t._meta?.api });
  const effect = (t: ManifestTool) => (t.annotations.readOnlyHint ? 'read' : t.annotations.destructiveHint ? 'destructive' : 'write');
  const toolsets = [...new Set(manifest.map((t) => meta(t).toolset))];
  const out = [
    '# Tools',
    '',
    'Generated from the catalog by `npm run docs`; do not edit by hand.',
    '',
    '| Toolset | Tools |',
    '|---|---|',
    ...toolsets.map((ts) => `| ${ts} | ${manifest.filter((t) => meta(t).toolset === ts).map((t) => `[\`${t.name}\`](#${t.name.toLowerCase()})`).join(', ')} |`),
    '',
  ];
  for (const t of manifest) {
    out.push(`## ${t.name}`, '', t.description, '', `- Toolset: ${meta(t).toolset}`, `- Effect: ${effect(t)}`);
    if (t.sites) out.push(`- Site: ${t.sites.map((s) => SITE_WORDS[s] ?? s).join(', ')} only`);
    if (meta(t).api) out.push(`- API: \`${meta(t).api}\``);
    const params = rows(t.inputSchema);
    out.push('', ...(params.length ? ['| Parameter | Type | Required | Notes |', '|---|---|---|---|', ...params] : ['No parameters.']), '');
  }
  return out.join('\n');
}
