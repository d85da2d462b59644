// The operator's policy file: which identity may touch which apps and rooms, use which tools, and under which
// consent policy. Entries are matched against the access token's claims (sub, a groups claim, or any claim the
// authorization server adds), in order; the first that matches applies, and an identity that none matches is
// refused. Read and checked once at start-up: a mistake stops the server with a message that names it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TOOLSETS } from '../../tools/define.js';
import { ConfigError, type Config } from '../config.js';
import { DISCOVERY_TOOLSET, type ManifestTool } from '../server/tool-list.js';
import type { PersonScope } from './scope.js';
import { parseRoomPattern } from './room-pattern.js';

/** An accepted value that matches any value of the claim, as long as the token carries it. */
const ANY = '*';

const claimValue = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const entrySchema = z.strictObject({
  name: z.string().regex(/^[\w.:@-]{1,64}$/, 'must be 1 to 64 letters, digits or . _ : @ -'),
  match: z.record(z.string().min(1), claimValue).describe('claim -> accepted value(s); every claim listed must match'),
  toolsets: z.array(z.string()).optional(),
  tools: z.array(z.string()).optional(),
  denyTools: z.array(z.string()).optional(),
  apps: z.array(z.int().min(1).max(2 ** 32 - 1)).optional(),
  // The syntax of --allow-rooms: a pattern names numeric rooms or string rooms, never both.
  rooms: z.array(z.string().min(1).max(128).superRefine((v, ctx) => {
    const parsed = parseRoomPattern(v);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })).optional(),
  confirm: z.enum(['destructive', 'mutating']).optional(),
  rateShare: z.number().min(0.01).max(1).optional(),
});
const policySchema = z.strictObject({ identities: z.array(entrySchema).min(1) });

export type PolicyEntryInput = z.output<typeof entrySchema>;

/** One entry as the server applies it. */
export interface PolicyEntry {
  name: string;
  match: ReadonlyArray<readonly [claim: string, accepted: readonly string[]]>;
  /** Every tool the entry does not allow: outside its toolsets and tools, or denied by name. */
  deny: readonly string[];
  scope?: PersonScope;
  confirm?: Config['confirm'];
  rateShare?: number;
}

export interface Policy {
  entries: ReadonlyMap<string, PolicyEntry>;
  /** The name of the first entry whose every claim matches, or undefined when none does. */
  match(claims: Record<string, unknown>): string | undefined;
}

/** A claim's values as strings: a claim may be a string, a number, a boolean or an array of them. */
function claimValues(claims: Record<string, unknown>, name: string): string[] {
  // A claim named with dots (https://example.com/groups) is looked up whole first, then as a path (realm_access.roles).
  let value: unknown = Object.hasOwn(claims, name) ? claims[name] : undefined;
  if (value === undefined && name.includes('.')) {
    value = name.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined), claims);
  }
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
}

/** Reads and checks the policy file against the tools and settings of this server. */
export function loadPolicy(path: string, manifest: readonly ManifestTool[], config: Pick<Config, 'allowApps'>): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Invalid setting --oauth-policy: cannot read ${path} as JSON (${(err as Error).message}).`);
  }
  return parsePolicy(raw, manifest, config, path);
}

export function parsePolicy(raw: unknown, manifest: readonly ManifestTool[], config: Pick<Config, 'allowApps'>, where = 'the policy'): Policy {
  const bad = (path: string, rule: string): never => {
    throw new ConfigError(`Invalid setting --oauth-policy: ${where}: ${path}: ${rule}.`);
  };
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    bad(issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(top)', issue.message);
  }
  const names = new Set(manifest.map((t) => t.name));
  const entries = new Map<string, PolicyEntry>();
  parsed.data!.identities.forEach((e, i) => {
    const at = `identities[${i}]`;
    if (entries.has(e.name)) bad(`${at}.name`, `"${e.name}" is used by an earlier entry; names must be unique`);
    if (!Object.keys(e.match).length) bad(`${at}.match`, 'must name at least one claim (use {"sub": [...]} or a groups claim); an identity is never matched by nothing');
    for (const set of e.toolsets ?? []) if (set !== 'all' && !(TOOLSETS as readonly string[]).includes(set)) bad(`${at}.toolsets`, `unknown toolset "${set}"; choose from all, ${TOOLSETS.join(', ')}`);
    for (const key of ['tools', 'denyTools'] as const) for (const tool of e[key] ?? []) if (!names.has(tool)) bad(`${at}.${key}`, `no tool named "${tool}"`);
    if (e.apps && config.allowApps.length && !e.apps.some((a) => config.allowApps.includes(a))) {
      bad(`${at}.apps`, `none of ${e.apps.join(', ')} is among the apps this server may touch (--allow-apps ${config.allowApps.join(',')}), so this entry could touch nothing`);
    }
    entries.set(e.name, {
      name: e.name,
      match: Object.entries(e.match).map(([claim, v]) => [claim, Array.isArray(v) ? v : [v]] as const),
      deny: denied(e, manifest),
      ...((e.apps || e.rooms) && { scope: { apps: e.apps ?? [], rooms: e.rooms ?? [] } }),
      ...(e.confirm && { confirm: e.confirm }),
      ...(e.rateShare !== undefined && { rateShare: e.rateShare }),
    });
  });
  const ordered = [...entries.values()];
  return {
    entries,
    match: (claims) => ordered.find((e) => e.match.every(([claim, accepted]) => claimValues(claims, claim).some((v) => accepted.includes(v) || accepted.includes(ANY))))?.name,
  };
}

/** The tools an entry does not allow: those outside its toolsets and tools when it names any, and its deny list. */
function denied(e: PolicyEntryInput, manifest: readonly ManifestTool[]): string[] {
  const limited = e.toolsets !== undefined || e.tools !== undefined;
  const all = e.toolsets?.includes('all') ?? false;
  const allowed = (t: ManifestTool) => t.toolset === DISCOVERY_TOOLSET || all || (e.toolsets ?? []).includes(t.toolset) || (e.tools ?? []).includes(t.name);
  return manifest.filter((t) => (limited && !allowed(t)) || (e.denyTools ?? []).includes(t.name)).map((t) => t.name);
}
