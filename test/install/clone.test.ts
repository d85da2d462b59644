// A newcomer's first command, from the README, on a fresh clone: `npm install` (which builds dist/ through the root
// project's prepare script, a lifecycle script npm 11 still runs) and then the start command exactly as the README
// writes it, spoken to by an MCP client, once with npm 11 and once with npm 10. stdout carries only JSON-RPC. Without
// --silent npm writes its own banner to stdout, as the README warns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUp, cloneHead, connect, DEFAULT_TOOLS, figure, npmOf, ROOT, sh, tempDir, userEnv } from './lib.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The README's first command: the install, then the start. */
const firstLine = /```sh\n(npm install && npm start[^\n]*)/.exec(readme)![1]!.replace(/\s+#.*$/, '');
const [installCommand, startCommand] = firstLine.split(' && ') as [string, string];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

afterAll(cleanUp);

describe.each([11, 10])('a fresh clone with npm %i', (major) => {
  let clone: string;
  let env: Record<string, string>;

  it(`installs with "${installCommand}", which builds the server`, async () => {
    clone = cloneHead(`clone-npm${major}`);
    env = userEnv(npmOf(major), tempDir('store'));
    const version = (await sh('npm --version', clone, env)).stdout.trim();
    expect(version.split('.')[0]).toBe(String(major));
    const install = await sh(installCommand, clone, env);
    expect(install.code, install.stderr).toBe(0);
    expect(readFileSync(join(clone, 'dist/cli.js'), 'utf8').length).toBeGreaterThan(0);
    figure(`fresh clone, npm ${version}: "${installCommand}" took ${install.seconds.toFixed(1)} s`);
  });

  it(`serves MCP on stdio with "${startCommand}", nothing but JSON-RPC on stdout`, async () => {
    const session = await connect('sh', ['-c', startCommand], clone, env);
    try {
      expect(session.tools).toEqual(expect.arrayContaining(DEFAULT_TOOLS));
      expect(session.noise).toEqual([]);
      expect(session.client.getServerVersion()).toMatchObject({ name: pkg.name, version: pkg.version });
      figure(`fresh clone, npm ${major}: "${startCommand}" to the first tools/list answer: ${session.toolsListSeconds.toFixed(2)} s`);
    } finally {
      await session.close();
    }
  });

  it('without --silent, npm puts its banner on stdout, which is why clients run node dist/cli.js', async () => {
    // stdin is closed at once: the server starts, finds no client and stops.
    const plain = await sh(startCommand.replace(/ --silent\b/, ''), clone, env);
    expect(plain.stdout).toContain(`> ${pkg.name}@${pkg.version} start\n> node dist/cli.js`);
    const silent = await sh(startCommand, clone, env);
    expect(silent.stdout).toBe('');
    expect(silent.code).toBe(0);
  });
});
