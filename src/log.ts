// Logs go to stderr (stdout carries the MCP stdio protocol), always through the redactor.
import { redact, redactText } from './redact.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LogOptions {
  level?: Level | 'silent';
  format?: 'text' | 'json';
  write?: (line: string) => void;
}

/**
 * Control characters a terminal would act on (C0, DEL, C1: ESC sequences, CSI, NEL) and line separators, as \\u
 * escapes: text from outside (a tool name, a header) must never move the cursor, recolour or forge a log line.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');
export const escapeControls = (text: string) => text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** JSON with every control character escaped (JSON.stringify leaves DEL, C1 and the line separators raw). */
export const safeJson = (value: unknown) => escapeControls(JSON.stringify(value) ?? 'null');
/** A value of a text-format line: bare when it is one plain word, else quoted and escaped. */
const field = (v: unknown) => (typeof v === 'string' && !/\s/.test(v) && !CONTROL.test(v) ? v : safeJson(v));

export function createLogger({ level = 'info', format = 'text', write = (l) => process.stderr.write(l) }: LogOptions = {}): Logger {
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    const time = new Date().toISOString();
    const safe = fields ? redact(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))) : undefined;
    if (format === 'json') {
      write(`${safeJson({ time, level: lvl, msg: redactText(msg), ...safe })}\n`);
      return;
    }
    const extra = safe ? Object.entries(safe).map(([k, v]) => ` ${escapeControls(k)}=${field(v)}`).join('') : '';
    write(`${time} ${lvl.padEnd(5)} ${escapeControls(redactText(msg))}${extra}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
