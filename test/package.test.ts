// What the published package holds, and what the tree holds besides the product: npm pack's own file list,
// the scripts an install runs, and benchmarks that npm run bench really runs.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { license: string; scripts: Record<string, string>; files: string[] };
const run = promisify(execFile);

describe('the published package', () => {
  it('holds the built server, the README and the LICENSE, and no source maps', async () => {
    // --ignore-scripts: the list is what `files` selects from the dist/ of this run (a local build, maps and all).
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/cli.js', 'dist/manifest.json']));
    expect(readdirSync(new URL('dist/', root)).some((f) => f.endsWith('.map'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.every((f) => f.startsWith('dist/') || ['LICENSE', 'README.md', 'package.json'].includes(f))).toBe(true);
  });

  it('builds when packed, not when installed, and without source maps', () => {
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('node scripts/build.mjs --release');
    expect(readFileSync(new URL('scripts/build.mjs', root), 'utf8')).toContain("sourcemap: release ? false : 'linked'");
  });

  it('has a LICENSE that matches package.json', () => {
    expect(pkg.license).toBe('MIT');
    const license = readFileSync(new URL('LICENSE', root), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} trtc-mcp contributors\n/);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });
});

describe('the tree', () => {
  it('holds only benchmarks that npm run bench runs, and the helpers they use', () => {
    const dir = new URL('bench/', root);
    const scripts = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs');
    const listed = /const benches = \[([^\]]*)\]/.exec(readFileSync(new URL('run.mjs', dir), 'utf8'))![1]!.match(/'[\w-]+'/g)!.map((s) => `${s.slice(1, -1)}.mjs`);
    // Imported (from './lib.mjs') or started by path (bench/echo-server.mjs) by another script.
    const used = new Set(scripts.flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/(?:'\.\/|bench\/)([\w-]+\.mjs)/g)].filter((m) => m[1] !== f).map((m) => m[1]!)));
    for (const f of scripts) expect(listed.includes(f) || used.has(f), `bench/${f} is neither run by npm run bench nor used by a benchmark`).toBe(true);
  });
});
