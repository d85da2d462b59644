// What the published package holds, and what the tree holds besides the product: npm pack's own file list,
// the scripts an install runs, links that work inside the package, and benchmarks that npm run bench really runs.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { license: string; scripts: Record<string, string>; files: string[] };
const run = promisify(execFile);

describe('the published package', () => {
  // --ignore-scripts: the list is what `files` selects from the dist/ of this run (a local build, maps and all).
  const packed = async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    return (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  };

  it('holds the built server, the README, the docs it links to and the LICENSE, and no source maps', async () => {
    const files = await packed();
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/cli.js', 'dist/manifest.json', 'docs/configuration.md']));
    expect(readdirSync(new URL('dist/', root)).some((f) => f.endsWith('.map'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.every((f) => f.startsWith('dist/') || f.startsWith('docs/') || ['LICENSE', 'README.md', 'package.json'].includes(f))).toBe(true);
  });

  it("has a README whose every relative link leads to a file in the package", async () => {
    const files = new Set(await packed());
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((href) => !/^[a-z]+:/i.test(href));
    expect(links.length).toBeGreaterThan(10);
    for (const href of links) expect(files.has(decodeURIComponent(href.split('#')[0]!)), href).toBe(true);
  });

  it('builds on install (a clone runs at once) and when packed, the release build without source maps', () => {
    // npm runs prepare after prepack when packing: the build then keeps prepack's release build.
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.scripts.prepack).toBe('node scripts/build.mjs --release');
    const build = readFileSync(new URL('scripts/build.mjs', root), 'utf8');
    expect(build).toContain("sourcemap: release ? false : 'linked'");
    expect(build).toContain("process.env.npm_lifecycle_event === 'prepare' && ['pack', 'publish'].includes(process.env.npm_command)");
  });

  it('needs nothing installed beside it: the build holds every dependency, and imports only Node built-ins', () => {
    // So `npx trtc-mcp` fetches one small package rather than a tree of dependencies the build already holds.
    expect((pkg as { dependencies?: object }).dependencies ?? {}).toEqual({});
    const dist = new URL('dist/', root);
    const specifiers = new Set(
      readdirSync(dist)
        .filter((f) => f.endsWith('.js'))
        .flatMap((f) => [...readFileSync(new URL(f, dist), 'utf8').matchAll(/(?:\bfrom\s*|\bimport\(\s*|\brequire\(\s*)["']((?:node:|@[\w.-]+\/)?[\w-][\w.-]*(?:\/[\w.\/-]+)?)["']/g)].map((m) => m[1]!)),
    );
    const builtin = new Set(builtinModules);
    // @redis/client's digest helper loads its hashing package only when called (the server never does) and says
    // so if it is missing.
    const optional = new Set(['@node-rs/xxhash']);
    expect([...specifiers].filter((s) => !builtin.has(s.replace(/^node:/, '')) && !optional.has(s))).toEqual([]);
    expect(specifiers.size).toBeGreaterThan(5);
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
