// The package as npm would publish it: packed from a clone (prepack makes the release build), installed from the
// tarball into an empty project as a user's would be, and run with `npx trtc-mcp` by an MCP client.
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUp, cloneHead, connect, DEFAULT_TOOLS, figure, ROOT, sh, tempDir, userEnv } from './lib.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
afterAll(cleanUp);

describe('npx trtc-mcp, from the packed package', () => {
  let app: string;
  let env: Record<string, string>;

  it('packs the release build with the docs the README links to', async () => {
    const clone = cloneHead('pack');
    // The checkout's own installation serves the clone's build (esbuild and the bundled dependencies).
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    env = userEnv(undefined, tempDir('store'));
    const out = tempDir('tarball');
    const pack = await sh(`npm pack --json --pack-destination '${out}'`, clone, env);
    expect(pack.code, pack.stderr).toBe(0);
    const [{ filename, files }] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'dist/cli.js', 'docs/sandbox.md']));
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    // The release build: no source map comments pointing at files that are not there.
    expect(readFileSync(join(clone, 'dist/cli.js'), 'utf8')).not.toContain('sourceMappingURL');

    app = tempDir('npx-app');
    writeFileSync(join(app, 'package.json'), '{ "name": "uses-trtc-mcp", "private": true }\n');
    const install = await sh(`npm install --no-audit --no-fund '${join(out, filename)}'`, app, env);
    expect(install.code, install.stderr).toBe(0);
    figure(`npx: installing the packed tarball into an empty project took ${install.seconds.toFixed(1)} s`);
  });

  it('runs with npx trtc-mcp and lists its tools', async () => {
    expect((await sh('npx trtc-mcp --version', app, env)).stdout.trim()).toBe(pkg.version);
    const session = await connect('npx', ['trtc-mcp'], app, env);
    try {
      expect(session.tools).toEqual(expect.arrayContaining(DEFAULT_TOOLS));
      expect(session.noise).toEqual([]);
      expect(session.stderr()).toMatch(/SANDBOX MODE/);
      figure(`npx: "npx trtc-mcp" to the first tools/list answer: ${session.toolsListSeconds.toFixed(2)} s`);
    } finally {
      await session.close();
    }
  });
});
