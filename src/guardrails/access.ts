// What one identity may do. Under OAuth its permissions are the intersection of three things: the server's own
// settings (toolsets, deny list, read-only, apps, rooms, consent), the scopes its access token carries, and its
// entry in the operator's policy file. The result is a narrowed copy of the configuration, so that every later
// check (exposure, scope, effect, consent) reads one place and holds on every path. The operator (stdio, the shared
// token, no authentication) keeps the configuration as it is.
import { createHash } from 'node:crypto';
import { worstEffect, type Effect, type ToolDef } from '../../tools/define.js';
import type { Config } from '../config.js';
import type { RateShare } from '../rate-limit.js';
import type { Identity } from './identity.js';
import type { Policy } from './policy.js';
import type { PersonScope } from './scope.js';

/** The OAuth scopes this server understands: the one place they are named. */
export const SCOPES = {
  read: 'trtc:read',
  write: 'trtc:write',
  destructive: 'trtc:destructive',
  approve: 'trtc:approve',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** What each scope allows, for the protected resource metadata's documentation and for docs/auth.md. */
export const SCOPE_ABOUT: Record<Scope, string> = {
  [SCOPES.read]: 'list and call the tools that only read (quality, usage, rooms, events), read resources and prompts',
  [SCOPES.write]: 'also call tools that change state but undo easily (mute, start a bot or a recording); implies trtc:read',
  [SCOPES.destructive]: 'also call destructive tools (remove a user, dismiss a room, stop a task), still behind consent; implies trtc:write',
  [SCOPES.approve]: 'approve or refuse other identities\' destructive calls; implies nothing else',
};

/** Each scope of the ladder implies those before it (a broader scope implies the narrower ones). */
const LADDER: ReadonlyArray<readonly [Effect, Scope]> = [
  ['read', SCOPES.read],
  ['write', SCOPES.write],
  ['destructive', SCOPES.destructive],
];

/** The scope a call of this effect needs. */
export const scopeFor = (effect: Effect): Scope => LADDER.find(([e]) => e === effect)![1];

/** The highest effect these scopes allow, or 'none' when they carry no scope of this server's ladder. */
export function grantedEffect(scopes: ReadonlySet<string>): Effect | 'none' {
  for (let i = LADDER.length - 1; i >= 0; i--) if (scopes.has(LADDER[i]![1])) return LADDER[i]![0];
  return 'none';
}

/** Whether an identity's scopes include this one, counting what broader scopes imply. */
export function hasScope(identity: Identity, scope: Scope): boolean {
  if (!identity.scopes) return true;
  if (scope === SCOPES.approve) return identity.scopes.has(scope);
  const granted = grantedEffect(identity.scopes);
  const wanted = LADDER.find(([, s]) => s === scope)![0];
  return granted !== 'none' && worstEffect(granted, wanted) === granted;
}

/** What the token's scopes allow: the highest effect. Absent for the operator. */
export interface Grant {
  max: Effect | 'none';
}

/** The configuration as one identity sees it. */
export type AccessConfig = Config & {
  grant?: Grant;
  /** The identity's own apps and rooms, from the policy file: both these and the server's must hold. */
  person?: PersonScope;
  /** The largest share of each Tencent action's rate limit this identity may use (1: no limit of its own). */
  rateShare?: number;
};

const CONFIRM_ORDER: ReadonlyArray<Config['confirm']> = ['none', 'destructive', 'mutating'];
const stricter = (a: Config['confirm'], b: Config['confirm'] | undefined) => (b && CONFIRM_ORDER.indexOf(b) > CONFIRM_ORDER.indexOf(a) ? b : a);

/**
 * The permissions of one identity, as a narrowed configuration. Two identities with the same highest scope and the
 * same policy entry get equal configurations: `accessKey` names them, so that views can be shared.
 */
export function accessConfig(config: Config, identity: Identity, policy: Policy | undefined, defaultRateShare: number): AccessConfig {
  if (!identity.scopes) return config;
  const entry = identity.policy !== undefined ? policy?.entries.get(identity.policy) : undefined;
  return {
    ...config,
    grant: { max: grantedEffect(identity.scopes) },
    rateShare: entry?.rateShare ?? defaultRateShare,
    ...(entry && {
      denyTools: [...new Set([...config.denyTools, ...entry.deny])],
      confirm: stricter(config.confirm, entry.confirm),
      person: entry.scope,
    }),
  };
}

export const accessKey = (identity: Identity) => (identity.scopes ? `${grantedEffect(identity.scopes)}\n${identity.policy ?? ''}` : 'operator');

/** An OAuth identity's share of each action's rate limit, its window named by a digest of its subject. */
export function rateShareOf(config: AccessConfig, identity: Identity): RateShare | undefined {
  if (identity.via !== 'oauth' || config.rateShare === undefined || config.rateShare >= 1) return undefined;
  return { who: createHash('sha256').update(identity.subject).digest('base64url').slice(0, 16), fraction: config.rateShare };
}

const WORDS: Record<Effect | 'none', string> = { none: 'nothing of this server', read: 'reads only', write: 'reads and writes, but nothing destructive', destructive: 'every effect' };

/** Why the token's scopes do not allow a call with this effect, or undefined when they do. */
export function grantRefusal(config: Pick<AccessConfig, 'grant'>, tool: string, effect: Effect): string | undefined {
  const max = config.grant?.max;
  if (max === undefined || (max !== 'none' && worstEffect(max, effect) === max)) return undefined;
  const what = effect === 'destructive' ? 'is destructive with these arguments' : effect === 'write' ? 'changes state' : 'reads';
  return `${tool} ${what}, and your access token allows ${WORDS[max]}: it needs the scope ${scopeFor(effect)}. Authorize again with that scope (your client is challenged for it over HTTP), or ask the operator.`;
}

/** Whether the grant lets a tool of this effect be listed. */
export const grantLists = (config: Pick<AccessConfig, 'grant'>, effect: Effect) =>
  !config.grant || (config.grant.max !== 'none' && worstEffect(config.grant.max, effect) === config.grant.max);

/** The name of the discovery tool that runs another tool: its target decides what a call of it does. */
const CALL_TOOL = 'call_tool';

/** What a message asks for: the effect, and the tool that has it. */
export interface Asked {
  effect: Effect;
  tool?: string;
}

/**
 * What a JSON-RPC message asks for, judged at the edge before it runs, so that a token too weak for it gets a
 * step-up challenge the client can act on: a tools/call of a catalog tool (directly or through call_tool) by its
 * arguments as given; anything else reads. The pipeline judges again with the validated arguments and what the
 * ledger knows, and refuses what this first look could not see. The catalog is loaded only for a tool call.
 */
export async function asked(message: unknown, catalog: () => Promise<ReadonlyMap<string, ToolDef>>): Promise<Asked> {
  if (Array.isArray(message)) {
    const all = await Promise.all(message.map((m) => asked(m, catalog)));
    return all.reduce((a, b) => (worstEffect(a.effect, b.effect) === a.effect ? a : b), { effect: 'read' });
  }
  const m = message as { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | null;
  if (m?.method !== 'tools/call' || typeof m.params?.name !== 'string') return { effect: 'read' };
  let name: unknown = m.params.name;
  let args: unknown = m.params.arguments;
  if (name === CALL_TOOL && args && typeof args === 'object') ({ name, arguments: args } = args as { name?: unknown; arguments?: unknown });
  const def = typeof name === 'string' ? (await catalog()).get(name) : undefined;
  if (!def) return { effect: 'read' };
  if (!def.effectOf) return { effect: def.effect, tool: def.name };
  try {
    return { effect: def.effectOf(args && typeof args === 'object' ? (args as Record<string, unknown>) : {}), tool: def.name };
  } catch {
    // Arguments the rules cannot read are refused as invalid later; until then, assume the worst they allow.
    return { effect: worstEffect(def.effectOf.otherwise, ...def.effectOf.rules.map((r) => r.effect)), tool: def.name };
  }
}
