// Started by hand in a terminal, the stdio server says on stderr what it waits for and how to connect a client,
// and writes nothing to stdout, which belongs to JSON-RPC. A terminal is a pseudo-terminal that script(1) (util-linux)
// gives the server as stdin; stdout and stderr go to files.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture, cleanEnv, CLI, connectStdio, waitForLog } from './helpers.js';

const HINT = /waiting for an MCP client on stdin/;
const dir = mkdtempSync(join(tmpdir(), 'trtc-mcp-tty-'));
// A configured secret, for the suite's sweep of everything the servers print.
const env = () => cleanEnv({ TERM: 'dumb', TRTC_MCP_CONFIRM_SECRET: randomBytes(24).toString('hex') });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the stdio server in a terminal', () => {
  it('says on stderr, in one line, that it waits for a client and how to connect one; stdout stays empty', async () => {
    const [out, err] = [join(dir, 'out'), join(dir, 'err')];
    const command = `exec '${process.execPath}' '${CLI}' >'${out}' 2>'${err}'`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: env(), stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    const read = (file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    };
    try {
      await waitForLog(() => read(err), HINT, 20_000);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
    const stderr = read(err);
    capture(stderr);
    const hint = stderr.split('\n').filter((line) => HINT.test(line));
    expect(hint).toHaveLength(1);
    expect(hint[0]).toContain('"Connecting a client" in the README');
    expect(hint[0]).toContain(`npx @modelcontextprotocol/inspector node ${CLI}`);
    expect(read(out)).toBe('');
  });

  it('says nothing of the kind to a client on a pipe', async () => {
    const { client, stderr, close } = await connectStdio([], env());
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      expect(stderr()).not.toMatch(HINT);
    } finally {
      await close();
    }
  });
});
