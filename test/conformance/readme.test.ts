// The README's example for the MCP Inspector, run exactly as written (through sh, from the checkout, npx fetching
// the Inspector as it does for a reader) on the Node 22 the README says it needs. Its shell arithmetic and
// `date +%s` work alike with GNU and BSD (macOS) date.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { capture, minimalEnv } from '../helpers.js';
import { node22 } from './tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const command = /```sh\n(npx @modelcontextprotocol\/inspector [\s\S]*?)\n```/.exec(readme)![1]!;
const home = mkdtempSync(join(tmpdir(), 'readme-inspector-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("the README's Inspector example", () => {
  it('needs nothing GNU-only and says which Node it needs', () => {
    expect(command).not.toMatch(/date [^)]*-d/);
    expect(readme).toContain("the MCP Inspector's CLI (Node 22.19 or newer)");
  });

  it('runs as written and answers with the sandbox world\'s bad experiences in room 1234', async () => {
    // A reader's shell: Node 22 first on PATH, a HOME of its own for the Inspector's files, and npm's usual cache
    // and machine-wide settings (npm looks for the latter beside the Node that runs it, here another one).
    const globalconfig = execFileSync('npm', ['config', 'get', 'globalconfig'], { encoding: 'utf8', env: minimalEnv() }).trim();
    const env = {
      ...minimalEnv(),
      PATH: `${dirname(node22())}:${minimalEnv().PATH}`,
      HOME: home,
      npm_config_cache: join(process.env.HOME ?? home, '.npm'),
      npm_config_globalconfig: globalconfig,
      npm_config_yes: 'true',
      TRTC_MCP_STORE: join(home, 'store'),
    };
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // Nothing is left running if the Inspector never answers (npx and the server are in the shell's group).
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 150_000);
      child.once('error', reject);
      child.once('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    capture(stdout + stderr);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as { isError?: boolean; content: Array<{ text?: string }>; structuredContent?: { AbnormalExperienceList?: Array<{ RoomId: string; UserId: string }> } };
    expect(result.isError ?? false, stdout).toBe(false);
    const list = result.structuredContent?.AbnormalExperienceList ?? [];
    expect(list.length, stdout).toBeGreaterThan(0);
    expect(list.every((x) => x.RoomId === '1234')).toBe(true);
    expect(result.content.map((c) => c.text ?? '').join('\n')).toMatch(/abnormal experience/);
  }, 180_000);
});
