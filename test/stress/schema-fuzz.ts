// Generates tool calls from the JSON Schemas clients see: valid ones, and invalid ones that break exactly one
// known field, so a test can check that the rejection names it. Deterministic for a given seed.
import { fieldPath } from '../../src/validation.js';

export type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};

/** A small, fast PRNG (mulberry32): the same seed gives the same calls on every machine. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

export type Path = Array<string | number>;

/** Valid calls differ in the strings they carry; invalid ones break one field in one way. */
export const VALID_KINDS = ['valid', 'valid-unicode', 'valid-huge'] as const;
export const INVALID_KINDS = [
  'wrong-type', 'missing-required', 'extra-key', 'too-long', 'out-of-range', 'not-in-enum', 'bad-pattern', 'nested-junk', 'array-for-object',
] as const;
export type CallKind = (typeof VALID_KINDS)[number] | (typeof INVALID_KINDS)[number];

export interface FuzzCall {
  tool: string;
  args: Record<string, unknown>;
  kind: CallKind;
  /** For invalid calls: the field the rejection must name, as the server prints it. */
  field?: string;
}

/**
 * Objects whose unknown members are passed through by design: vendor-specific LLM and TTS settings, and the
 * arguments call_tool forwards (the target tool checks them).
 */
const OPEN_OBJECTS = new Set(['LLMConfig', 'TTSConfig', 'arguments']);

export const HUGE = 1024 * 1024;

/** Text that is legal JSON but hard on parsers, loggers and signers: emoji, RTL, NUL, lone surrogates, BOM, quotes. */
const UNICODE = [
  '😀👍🏽👨‍👩‍👧', 'مرحبا بالعالم', 'שלום', '\u202Egnp.exe', 'a\u0000b', '\uD800', 'x\uDC00y', 'e\u0301', '𝕳𝖊𝖑𝖑𝖔', '\uFEFFbom',
  '中文房间', 'line\nbreak\ttab\r', '"quoted" \\back\\ \'single\' <tag> &amp;', '   ', '%00%2F..%2F', '${jndi:x}', 'Ω≈ç√∫',
];

/** Values that look like what agents pass, so some calls reach deep into the sandbox instead of failing early. */
const PLAUSIBLE: Array<[RegExp, (rng: Rng) => unknown, string]> = [
  [/RoomId$/, (r) => r.pick([1234, 10006, r.int(1, 99_999)]), 'integer'],
  [/RoomId$/, (r) => r.pick(['abcd', 'class-101', '1234', `room-${r.int(1, 99)}`]), 'string'],
  [/(UserId|_Account)$/, (r) => r.pick(['alice', 'bob', 'teacher', 'student-1', `u${r.int(1, 999)}`]), 'string'],
  [/Url$/, (r) => `https://media.example.com/${r.int(1, 999)}.mp4`, 'string'],
  [/^(Start|End)Time$/, (r) => new Date(Date.now() - r.int(0, 6 * 3600) * 1000).toISOString(), 'string'],
];

const typesOf = (s: JsonSchema): string[] => (s.anyOf ? s.anyOf.flatMap(typesOf) : s.type ? [s.type] : []);

const word = (rng: Rng, min: number, max: number) => {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
  let s = '';
  for (let n = rng.int(min, max); s.length < n; ) s += chars[rng.int(0, chars.length - 1)];
  return s;
};

/** A string matching one of the few patterns the catalog uses (checked, so a new pattern fails loudly). */
function matching(pattern: string, rng: Rng): string {
  const re = new RegExp(pattern);
  const candidates = [word(rng, 1, 12).replace(/-/g, '_'), rng.int(1, 1e9).toString(), '0123456789abcdef0123456789ABCDEF', `https://x.example.com/${word(rng, 1, 8)}`];
  const hit = candidates.find((c) => re.test(c));
  if (hit === undefined) throw new Error(`the fuzzer cannot generate a string matching /${pattern}/`);
  return hit;
}

export class CallGenerator {
  constructor(private readonly rng: Rng) {}

  /** A value the schema accepts (as far as JSON Schema can say). */
  value(s: JsonSchema, key: string, opts: { unicode?: boolean } = {}, depth = 0): unknown {
    const { rng } = this;
    if (s.const !== undefined) return s.const;
    if (s.enum) return rng.pick(s.enum);
    const plausible = PLAUSIBLE.find(([re, , type]) => re.test(key) && typesOf(s).includes(type) && !s.pattern);
    if (plausible && rng.chance(0.7)) return plausible[1](rng);
    if (s.anyOf) return this.value(rng.pick(s.anyOf), key, opts, depth);
    switch (s.type) {
      case 'integer':
      case 'number': {
        const lo = s.minimum ?? 0;
        const hi = s.maximum ?? Math.max(lo, 100_000);
        const n = rng.chance(0.2) ? rng.pick([lo, hi]) : rng.int(lo, hi);
        return s.type === 'number' && rng.chance(0.2) && n < hi ? n + 0.5 : n;
      }
      case 'boolean':
        return rng.chance(0.5);
      case 'string': {
        if (s.pattern) return matching(s.pattern, rng);
        const max = Math.min(s.maxLength ?? 24, 24);
        if (opts.unicode && rng.chance(0.5)) {
          const u = rng.pick(UNICODE);
          if (u.length <= max) return u;
        }
        return word(rng, Math.min(Math.max(s.minLength ?? 1, 1), max), max);
      }
      case 'array': {
        const n = rng.int(s.minItems ?? 0, Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)));
        return Array.from({ length: n }, () => this.value(s.items ?? {}, key, opts, depth + 1));
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        const required = new Set(s.required ?? []);
        for (const [k, p] of Object.entries(s.properties ?? {})) {
          if (required.has(k) || (depth < 4 && rng.chance(0.4))) out[k] = this.value(p, k, opts, depth + 1);
        }
        return out;
      }
      default:
        return word(rng, 1, 8);
    }
  }

  /** One call: valid with probability `validShare`, else one field broken in one way. */
  call(tool: string, schema: JsonSchema, validShare: number): FuzzCall {
    const { rng } = this;
    if (rng.chance(validShare)) {
      const kind = rng.chance(0.02) ? 'valid-huge' : rng.chance(0.3) ? 'valid-unicode' : 'valid';
      const args = this.value(schema, '', { unicode: kind === 'valid-unicode' }) as Record<string, unknown>;
      if (kind === 'valid-huge') {
        // A megabyte where the schema sets no limit: still valid, so it may travel all the way to the sandbox.
        const open = sites(schema, args).filter((x) => x.path.length > 0 && (x.present || x.parentPresent) && x.schema.type === 'string' && x.schema.maxLength === undefined && !x.schema.pattern && !x.schema.enum);
        if (open.length) setAt(args, rng.pick(open).path, rng.pick(UNICODE).repeat(HUGE / 8).slice(0, HUGE));
      }
      return { tool, args, kind };
    }
    const args = this.value(schema, '') as Record<string, unknown>;
    // The ways of breaking a call in random order: the first that applies to this tool is used, so each
    // applicable way is equally likely, and rare ones (a pattern, an enum) get their share where they exist.
    for (const kind of rng.shuffle(INVALID_KINDS)) {
      const broken = this.breakOne(kind, schema, args);
      if (broken) return { tool, args: broken.args, kind, field: fieldPath(broken.path) };
    }
    throw new Error(`${tool}: no way to make an invalid call (a tool without properties?)`);
  }

  /** Applies one mutation to a copy of `args`; undefined when this tool has no field it applies to. */
  private breakOne(kind: (typeof INVALID_KINDS)[number], schema: JsonSchema, valid: Record<string, unknown>): { args: Record<string, unknown>; path: Path } | undefined {
    const { rng } = this;
    const args = structuredClone(valid);
    const all = sites(schema, args);
    const present = all.filter((x) => x.path.length > 0 && x.present);
    const pick = (xs: Site[]) => (xs.length ? rng.pick(xs) : undefined);
    switch (kind) {
      case 'wrong-type': {
        // Fields the schema leaves untyped accept anything, so they cannot be given a wrong type.
        const site = pick(all.filter((x) => x.path.length > 0 && typesOf(x.schema).length > 0));
        if (!site) return undefined;
        return { args: setAt(args, site.path, wrongTypeFor(site.schema, rng)), path: site.path };
      }
      case 'missing-required': {
        const site = pick(all.filter((x) => x.present && x.schema.type === 'object' && (x.schema.required?.length ?? 0) > 0));
        if (!site) return undefined;
        const key = rng.pick(site.schema.required!);
        delete (getAt(args, site.path) as Record<string, unknown>)[key];
        return { args, path: [...site.path, key] };
      }
      case 'extra-key': {
        const site = pick(all.filter((x) => x.present && x.schema.type === 'object' && !OPEN_OBJECTS.has(String(x.path.at(-1)))));
        if (!site) return undefined;
        const known = Object.keys(site.schema.properties ?? {});
        // A near miss (wrong case, a typo) is what agents actually send; junk names cover the rest.
        const key = known.length && rng.chance(0.5)
          ? nearMiss(rng.pick(known), known, rng)
          : rng.chance(0.2) ? rng.pick(['constructor', 'toString', 'hasOwnProperty']) : `${word(rng, 1, 6)}_${rng.pick(['x', '😀', '\u0000', ' ', '.'])}`;
        (getAt(args, site.path) as Record<string, unknown>)[key] = this.value({ type: rng.pick(['string', 'integer', 'object']) }, key);
        return { args, path: [...site.path, key] };
      }
      case 'too-long': {
        const site = pick(all.filter((x) => x.path.length > 0 && x.schema.type === 'string' && x.schema.maxLength !== undefined));
        if (!site) return undefined;
        // Mostly one character past the limit (the boundary); a megabyte now and then, which is costly to send.
        const length = rng.chance(0.2) ? HUGE : site.schema.maxLength! + 1;
        return { args: setAt(args, site.path, 'x'.repeat(length)), path: site.path };
      }
      case 'out-of-range': {
        // Integers are bounded by the safe range even where the schema names no bound; other numbers only where it does.
        const bounded = (x: Site) => x.schema.minimum !== undefined || x.schema.maximum !== undefined;
        const site = pick(present.filter((x) => !x.schema.enum && (x.schema.type === 'integer' || (x.schema.type === 'number' && bounded(x)))));
        if (!site) return undefined;
        const { minimum, maximum, type } = site.schema;
        const options: number[] = type === 'integer' ? [Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 1e308, 1.5, (minimum ?? 0) + 0.25] : [];
        if (minimum !== undefined) options.push(minimum - 1, minimum - 1e6);
        if (maximum !== undefined) options.push(maximum + 1, maximum * 10 + 1);
        return { args: setAt(args, site.path, rng.pick(options)), path: site.path };
      }
      case 'not-in-enum': {
        const site = pick(present.filter((x) => x.schema.enum || x.schema.const !== undefined));
        if (!site) return undefined;
        const allowed = site.schema.enum ?? [site.schema.const];
        const bad = typeof allowed[0] === 'number' ? Math.max(...(allowed as number[])) + 7 : `${String(allowed[0])}-nope`;
        return { args: setAt(args, site.path, bad), path: site.path };
      }
      case 'bad-pattern': {
        const site = pick(all.filter((x) => x.schema.pattern));
        if (!site) return undefined;
        const re = new RegExp(site.schema.pattern!);
        const bad = ['!!', 'ftp:/nope', '../..', 'g'.repeat(32), '0', 'a b'].filter((c) => !re.test(c));
        return { args: setAt(args, site.path, rng.pick(bad)), path: site.path };
      }
      case 'nested-junk': {
        const site = pick(present.filter((x) => !typesOf(x.schema).includes('object')));
        if (!site) return undefined;
        return { args: setAt(args, site.path, junk(rng, rng.int(3, 60))), path: site.path };
      }
      case 'array-for-object': {
        const site = pick(present.filter((x) => x.schema.type === 'object'));
        if (!site) return undefined;
        return { args: setAt(args, site.path, [this.value(site.schema, String(site.path.at(-1)))]), path: site.path };
      }
    }
  }
}

interface Site {
  path: Path;
  schema: JsonSchema;
  /** Whether the generated arguments hold a value here. */
  present: boolean;
  /** Whether the object holding this field is there, so a value set here changes nothing else. */
  parentPresent: boolean;
}

/** Every field of the schema, walked alongside the generated value (array items only where they exist). */
function sites(schema: JsonSchema, value: unknown, path: Path = [], parentPresent = true): Site[] {
  const present = value !== undefined;
  const out: Site[] = [{ path, schema, present, parentPresent }];
  if (schema.type === 'object' && schema.properties) {
    for (const [k, p] of Object.entries(schema.properties)) {
      out.push(...sites(p, present ? (value as Record<string, unknown>)[k] : undefined, [...path, k], present));
    }
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    value.forEach((v, i) => out.push(...sites(schema.items!, v, [...path, i], true)));
  }
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);
}

/** Sets a value, creating the objects on the way that the generated arguments left out. */
function setAt<T extends Record<string, unknown>>(root: T, path: Path, value: unknown): T {
  let parent = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = (parent[k] ??= {}) as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
  return root;
}

/** A value of a JSON type the field does not accept. */
function wrongTypeFor(s: JsonSchema, rng: Rng): unknown {
  const allowed = typesOf(s);
  const numeric = allowed.includes('number') || allowed.includes('integer');
  const pool: Array<[string, unknown]> = [
    ['string', rng.pick(['12', 'true', '', 'null', '{}'])],
    ['number', rng.pick([0.5, -3.25])],
    ['integer', rng.pick([0, 7, -1])],
    ['boolean', rng.chance(0.5)],
    ['null', null],
    ['array', rng.pick([[], [1, 'two'], [{}]])],
    ['object', rng.pick([{}, { a: 1 }, { '': [] }])],
  ];
  const wrong = pool.filter(([t]) => !allowed.includes(t) && !((t === 'integer' || t === 'number') && numeric));
  return rng.pick(wrong)[1];
}

function nearMiss(name: string, known: string[], rng: Rng): string {
  const candidates = [name.toLowerCase(), name.toUpperCase(), `${name}s`, name.slice(0, -1), `${name} `, `_${name}`].filter((c) => c && !known.includes(c));
  return candidates.length ? rng.pick(candidates) : `${name}_x`;
}

/** Deeply nested arrays and objects of mixed junk. */
function junk(rng: Rng, depth: number): unknown {
  let v: unknown = rng.pick([null, 1, 'x', true, '\uD800', {}]);
  for (let i = 0; i < depth; i++) v = rng.chance(0.5) ? [v, rng.int(0, 9)] : { [word(rng, 1, 4)]: v, n: i };
  return v;
}
