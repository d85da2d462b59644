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

export function createLogger({ level = 'info', format = 'text', write = (l) => process.stderr.write(l) }: LogOptions = {}): Logger {
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    const time = new Date().toISOString();
    const safe = fields ? redact(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))) : undefined;
    if (format === 'json') {
      write(`${JSON.stringify({ time, level: lvl, msg: redactText(msg), ...safe })}\n`);
      return;
    }
    const extra = safe
      ? Object.entries(safe).map(([k, v]) => ` ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`).join('')
      : '';
    write(`${time} ${lvl.padEnd(5)} ${redactText(msg)}${extra}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
