// Time arguments as agents write them (ISO-8601 or Unix time), turned into the exact wire form each action
// documents, with the documented query window checked before anything is sent. The sandbox enforces the
// same windows on the wire form, so both sides read one definition.
import { z } from 'zod';
import { ArgumentError, type WireEnv } from './define.js';

/** Wire forms: Unix seconds, a UTC date (YYYY-MM-DD), a UTC minute (YYYY-MM-DD HH:MM) or second (YYYY-MM-DD HH:MM:SS). */
export type TimeForm = 'unix' | 'date' | 'minute' | 'second';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A span limit that depends on other arguments, with the words that explain it. */
export interface ArgSpan {
  ms(args: Record<string, any>): number;
  text: string;
}

export interface TimeWindow {
  form: TimeForm;
  /** How far back from now StartTime may reach (for dates: from today's UTC date). */
  lookback?: number;
  /** The longest span from StartTime to EndTime (for dates: whole days, both ends counted). */
  maxSpan?: number | ArgSpan;
}

export type WindowRule = 'format' | 'order' | 'future' | 'lookback' | 'span';

export interface WindowProblem {
  field: 'StartTime' | 'EndTime';
  rule: WindowRule;
  message: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The furthest instant a Date holds, in ms either side of 1970: past it, turning a time into text throws. */
export const MAX_INSTANT_MS = 8.64e15;

/** Whether a value is a time, in ms since the epoch, that a Date can hold (one from outside may be anything). */
export const isInstant = (ms: unknown): ms is number => typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_INSTANT_MS;

/** Milliseconds since the epoch for Unix seconds/ms or an ISO-8601 string (UTC unless it names an offset). */
export function parseInstant(value: number | string): number | undefined {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) return undefined;
    // Seconds until the year 5138; anything larger is milliseconds.
    const ms = n >= 1e11 ? n : n * 1000;
    return isInstant(ms) ? ms : undefined;
  }
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, Number(frac.padEnd(3, '0')));
  const check = new Date(ms);
  // Date.UTC rolls 31 February over into March; a calendar that does not exist is an error, not a guess.
  if (check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +s > 59) return undefined;
  return ms - offsetMs(zone);
}

function offsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2) || 0) * MINUTE);
}

const pad = (n: number) => String(n).padStart(2, '0');
export const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const utcMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
export const utcSecond = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
/** An instant as agents read it: ISO-8601 in UTC, without milliseconds unless it has some. */
export const isoTime = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const startOfUtcDay = (ms: number) => Math.floor(ms / DAY) * DAY;

/** "14 days", "24 hours", "1 hour", "90 minutes": the way the docs state limits. */
export function duration(ms: number): string {
  const [n, unit] = ms % DAY === 0 && ms > DAY ? [ms / DAY, 'day'] : ms % HOUR === 0 ? [ms / HOUR, 'hour'] : [ms / MINUTE, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const FORM_TEXT: Record<TimeForm, string> = {
  unix: 'Unix s/ms or ISO-8601 (UTC if no offset)',
  date: 'YYYY-MM-DD (UTC), or ISO-8601/Unix time (its UTC date)',
  minute: 'YYYY-MM-DD HH:MM (UTC), or ISO-8601/Unix time on a whole minute',
  second: 'YYYY-MM-DD HH:MM:SS (UTC), or ISO-8601/Unix time',
};

const spanText = (w: TimeWindow) =>
  w.maxSpan === undefined ? undefined : typeof w.maxSpan === 'number' ? duration(w.maxSpan) : w.maxSpan.text;

/** The agent-facing StartTime and EndTime fields of a window. */
export function agentTimeFields(w: TimeWindow) {
  const AgentTime = z.union([z.int(), z.string().min(1)]);
  const span = spanText(w);
  const within = w.lookback ? `; within the last ${duration(w.lookback)}` : '';
  const after = w.form === 'date' ? 'on or after StartTime' : 'after StartTime';
  return {
    StartTime: AgentTime.describe(`${FORM_TEXT[w.form]}${within}`),
    EndTime: AgentTime.describe(`Same forms; ${after}${span ? `, at most ${span} later` : ''}`),
  };
}

/** Reads a time in an agent's form and gives its instant plus the wire value. */
function agentTime(w: TimeWindow, field: string, value: number | string): { ms: number; wire: number | string } {
  const dateOnly = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim());
  const ms = parseInstant(value);
  if (ms === undefined) throw new ArgumentError(field, `must be ${FORM_TEXT[w.form]}; got ${JSON.stringify(value)}`);
  switch (w.form) {
    case 'unix': {
      // The API counts whole seconds; a clock reading's milliseconds are dropped, not rounded up.
      const seconds = Math.floor(ms / 1000);
      return { ms: seconds * 1000, wire: seconds };
    }
    case 'minute':
      if (ms % MINUTE) throw new ArgumentError(field, `must be a whole minute (this action takes YYYY-MM-DD HH:MM); got ${isoTime(ms)}`);
      return { ms, wire: utcMinute(ms) };
    case 'date': {
      const day = dateOnly ? ms : startOfUtcDay(ms);
      return { ms: day, wire: utcDate(day) };
    }
    case 'second': {
      const whole = Math.floor(ms / 1000) * 1000;
      return { ms: whole, wire: utcSecond(whole) };
    }
  }
}

/** The instant a wire value stands for (the sandbox reads requests with it). */
export function wireInstant(form: TimeForm, value: unknown): number | undefined {
  if (form === 'unix') return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) * 1000 : undefined;
  const shape = { date: /^\d{4}-\d{2}-\d{2}$/, minute: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, second: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/ }[form];
  return typeof value === 'string' && shape.test(value) ? parseInstant(value) : undefined;
}

/** The first way a window breaks its documented limits, in words that state the allowed window. */
export function windowProblem(w: TimeWindow, start: number, end: number, now: number, args: Record<string, any> = {}): WindowProblem | undefined {
  const show = (ms: number) => (w.form === 'date' ? utcDate(ms) : isoTime(ms));
  const today = startOfUtcDay(now);
  const latestStart = w.form === 'date' ? today : now;
  if (start > latestStart) {
    return { field: 'StartTime', rule: 'future', message: `must not be in the future (now is ${isoTime(now)}); got ${show(start)}` };
  }
  if (w.lookback !== undefined) {
    // The earliest start the wire form can express: whole seconds for Unix time.
    const earliest = w.form === 'date' ? today - w.lookback : Math.ceil((now - w.lookback) / 1000) * 1000;
    if (start < earliest) {
      return { field: 'StartTime', rule: 'lookback', message: `must be within the last ${duration(w.lookback)}: not before ${show(earliest)}; got ${show(start)}` };
    }
  }
  if (w.form === 'date' ? end < start : end <= start) {
    return { field: 'EndTime', rule: 'order', message: `must be ${w.form === 'date' ? 'on or after' : 'after'} StartTime (${show(start)}); got ${show(end)}` };
  }
  if (w.maxSpan !== undefined) {
    const span = typeof w.maxSpan === 'number' ? w.maxSpan : w.maxSpan.ms(args);
    const length = w.form === 'date' ? end - start + DAY : end - start;
    if (length > span) {
      const latest = start + span - (w.form === 'date' ? DAY : 0);
      const counted = w.form === 'date' ? ' (both dates count)' : '';
      return { field: 'EndTime', rule: 'span', message: `must be at most ${duration(span)} from StartTime${counted}, so not after ${show(latest)}; got ${show(end)}. Split longer periods into several queries` };
    }
  }
  return undefined;
}

/** Converts StartTime and EndTime to the wire form, or throws an ArgumentError that states the allowed window. */
export function windowToWire(w: TimeWindow, args: Record<string, any>, env: WireEnv): Record<string, unknown> {
  const start = agentTime(w, 'StartTime', args.StartTime);
  const end = agentTime(w, 'EndTime', args.EndTime);
  const problem = windowProblem(w, start.ms, end.ms, env.now(), args);
  if (problem) throw new ArgumentError(problem.field, problem.message);
  return { ...args, StartTime: start.wire, EndTime: end.wire };
}

/** StartTime and EndTime as the API takes them. */
const WIRE_TIME: Record<TimeForm, z.ZodType> = {
  unix: z.int().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  minute: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
  second: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
};

/**
 * The catalog entries of an action with a StartTime/EndTime window: its wire schema (the given parameters
 * plus StartTime and EndTime in the documented form), the agent schema (friendlier time fields, plus any
 * agent-only fields) and the conversion to the wire.
 */
export function timed(params: z.ZodObject, window: TimeWindow, agentOnly: z.ZodRawShape = {}) {
  const input = params.extend({ StartTime: WIRE_TIME[window.form], EndTime: WIRE_TIME[window.form] });
  return {
    input,
    window,
    agentInput: input.extend({ ...agentTimeFields(window), ...agentOnly }),
    toWire: (args: Record<string, any>, env: WireEnv) => windowToWire(window, args, env),
  };
}
