// Turns zod issues into messages that name each field and the rule it broke.
import type { z } from 'zod';

/** How deep any argument may nest. Real arguments need a handful of levels; thousands would exhaust the stack. */
export const MAX_ARG_DEPTH = 32;

/** The path to the first value nested deeper than `max` levels, found without recursion. */
export function tooDeep(args: unknown, max = MAX_ARG_DEPTH): PropertyKey[] | undefined {
  interface Step { key: PropertyKey; parent?: Step }
  const stack: Array<{ value: unknown; depth: number; at?: Step }> = [{ value: args, depth: 0 }];
  while (stack.length) {
    const { value, depth, at } = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth > max) {
      const path: PropertyKey[] = [];
      for (let s = at; s; s = s.parent) path.unshift(s.key);
      return path;
    }
    for (const [k, child] of Object.entries(value)) stack.push({ value: child, depth: depth + 1, at: { key: Array.isArray(value) ? Number(k) : k, parent: at } });
  }
  return undefined;
}

export function readAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
}

/** Keys that print as they are; any other (a space, a dot, a control or invisible character) is quoted to show it exactly. */
const PLAIN_KEY = /^[\w$-]+$/;

export function fieldPath(path: readonly PropertyKey[]): string {
  const segment = (k: PropertyKey, i: number) => {
    if (typeof k === 'number') return `[${k}]`;
    const name = String(k);
    return PLAIN_KEY.test(name) ? `${i ? '.' : ''}${name}` : `[${JSON.stringify(name)}]`;
  };
  return path.map(segment).join('') || '(arguments)';
}

const KIND: Record<string, string> = { int: 'an integer', number: 'a number', string: 'a string', array: 'an array', object: 'an object', boolean: 'a boolean' };
const UNIT: Record<string, string> = { string: ' characters', array: ' items' };

function rule(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return readAt(input, issue.path) === undefined ? 'is required' : `must be ${KIND[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const unit = UNIT[issue.origin] ?? '';
      const op = issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
      return unit ? `must have ${op} ${String(bound)}${unit}` : `must be ${op} ${String(bound)}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return readAt(input, issue.path) === undefined ? `is required (one of ${values})` : `must be one of ${values}`;
    }
    case 'invalid_format':
      return `must be a valid ${issue.format}${issue.format === 'regex' && 'pattern' in issue ? ` matching ${String(issue.pattern)}` : ''}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return issue.message;
  }
}

/** One "field: rule" line per problem; unknown keys are reported by name. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => `${fieldPath([...issue.path, k])}: is not a parameter of this tool`)
      : [`${fieldPath(issue.path)}: ${rule(issue, input)}`],
  );
}
