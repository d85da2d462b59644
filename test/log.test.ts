// Log lines: whatever text from outside a field holds (a tool name, a header, an error), a terminal that shows the
// log is never told to move its cursor, recolour or break a line, in the text format and in JSON alike.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { auditLine } from '../src/guardrails/audit.js';
import { createLogger } from '../src/log.js';
import { CLI, cleanEnv } from './helpers.js';

/** ESC sequences (erase line, cursor up, red), CSI and NEL as C1, DEL, a line separator, a bare line break. */
const HOSTILE = 'x\u001b[2K\u001b[1A\u001b[2K\u001b[31mFORGED\u001b[0m\u009b31m\u0085\u007f\u2028\r\nnext';
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

const linesOf = (format: 'text' | 'json') => {
  const lines: string[] = [];
  const log = createLogger({ format, write: (l) => lines.push(l) });
  log.warn(`refused ${HOSTILE}`, { tool: HOSTILE, [HOSTILE]: 1, nested: { sdkAppId: HOSTILE }, plain: 'DismissRoom' });
  return lines;
};

describe('log lines', () => {
  it.each(['text', 'json'] as const)('escape C0, DEL, C1 and line separators in the message, every key and every value (%s)', (format) => {
    const lines = linesOf(format);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(line).toContain('\\u001b[31mFORGED');
    expect(line).toContain('\\u009b31m\\u0085\\u007f\\u2028');
    if (format === 'json') expect(JSON.parse(line).tool).toBe(HOSTILE);
    else expect(line).toContain(' plain=DismissRoom');
  });

  it('audit records escape them too, and stay JSON that reads back as it was', () => {
    const line = auditLine({ tool: 'RemoveUser', args: { UserIds: [HOSTILE] } });
    expect(line).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(line).args.UserIds[0]).toBe(HOSTILE);
  });
});

describe('a setting that stops the start', () => {
  it('is quoted in its one-line message with its control characters escaped', () => {
    const run = spawnSync(process.execPath, [CLI, '--deny-tools', `X${HOSTILE}`], { env: cleanEnv(), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^Invalid setting --deny-tools: no tool named X/);
    expect(run.stderr.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(run.stderr.slice(0, -1)).not.toContain('\n');
  });
});
