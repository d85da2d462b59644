// npm run bundle [-- out.mcpb]: the MCP bundle (.mcpb) that Claude Desktop and other bundle hosts install with one
// click and configure through bundle/manifest.json's user_config. It holds the release build of the server (which
// needs no node_modules), a package.json (the server reads its version there, and it marks the code as ES
// modules) and the licence; the official CLI (@anthropic-ai/mcpb) validates and packs it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = resolve(process.argv[2] ?? join(root, `${pkg.name}-${pkg.version}.mcpb`));
const mcpb = (...args) => execFileSync(process.execPath, [join(root, 'node_modules/.bin/mcpb'), ...args], { stdio: 'inherit' });

const stage = mkdtempSync(join(tmpdir(), 'trtc-mcp-bundle-'));
try {
  // The package.json first: the build runs the server's own code (the manifest, the search index), which reads it.
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', license: pkg.license }, null, 2)}\n`);
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--release', `--outdir=${join(stage, 'server')}`], { stdio: 'inherit' });
  copyFileSync(join(root, 'bundle/manifest.json'), join(stage, 'manifest.json'));
  copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
  mcpb('validate', join(stage, 'manifest.json'));
  mcpb('pack', stage, out);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
