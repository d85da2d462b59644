// Renders docs/tools.md from the manifest (every tool, its toolset, effect, API and parameters), and the generated
// sections of docs/security.md from the catalog (effects by argument pattern, scope resolution).
import type { TargetKind, ToolDef } from '../../tools/define.js';
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

const NAME_OF: Record<TargetKind, string> = {
  task: 'TaskId', call: 'CallId', battle: 'BattleId', comm: 'CommId', 'conversation-session': 'SessionId', 'transcription-session': 'SessionId', bot: 'bot user',
};
const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The effect of every tool that changes state, by argument pattern (docs/security.md). */
export function renderEffectTable(catalog: readonly ToolDef[]): string {
  const rows = catalog.filter((d) => d.effect !== 'read').map((d) => {
    const patterns = [
      ...(d.effectOf?.rules ?? []).map((r) => `${r.effect} when ${r.when}`),
      ...(d.bot ? ['destructive when its bot user ID already runs a task this server started in the same room (that task ends)'] : []),
    ];
    const usual = d.effectOf?.otherwise ?? d.effect;
    return `| \`${d.name}\` | ${usual} | ${d.effect} | ${cell(patterns.join('; ') || '(every call)')} |`;
  });
  return ['| Tool | Effect | At worst | When worse |', '|---|---|---|---|', ...rows].join('\n');
}

/** How scope resolves the targets each tool names by ID, and which reads are cut down to the rooms in scope. */
export function renderScopeTable(catalog: readonly ToolDef[]): string {
  const locatedBy = new Map(catalog.flatMap((d) => (d.locates ? [[d.locates.kind, d.name] as const] : [])));
  // Arguments that name one target of every kind, with and without a TaskId (AI reads take a TaskId or a SessionId).
  const example: Record<string, unknown> = { TaskId: 'T', SessionId: 'S', CallId: 'C', BattleId: 'B', CommId: 'M' };
  const rows = catalog.flatMap((d) => {
    const kinds = d.targets ? [...new Set([...d.targets(example), ...d.targets({ ...example, TaskId: undefined })].map((r) => r.kind))] : [];
    const parts = kinds.map((k) => `${NAME_OF[k]}: the ledger${locatedBy.has(k) ? `, else \`${locatedBy.get(k)}\`` : ''}`);
    if (d.roomRows) parts.push('rows of other rooms are left out');
    if (d.roomArgument) parts.push(`refused without ${d.roomArgument} when rooms are scoped`);
    if (d.started) parts.push('records what it starts in the ledger');
    return parts.length ? [`| \`${d.name}\` | ${cell(parts.join('; '))} |`] : [];
  });
  return ['| Tool | Scope |', '|---|---|', ...rows].join('\n');
}

const GENERATED = /(<!-- generated: (\w+) -->\n)[\s\S]*?(<!-- end -->)/g;

/** docs/security.md with its generated sections (between `<!-- generated: NAME -->` and `<!-- end -->`) brought up to date. */
export function renderSecurityDoc(template: string, catalog: readonly ToolDef[]): string {
  const sections: Record<string, () => string> = { effects: () => renderEffectTable(catalog), scope: () => renderScopeTable(catalog) };
  return template.replace(GENERATED, (whole, open: string, name: string, close: string) => (sections[name] ? `${open}${sections[name]()}\n${close}` : whole));
}
