// Global setup: installs the tools in ./tools exactly as their lockfile pins them, unless that very lockfile is
// already installed (a stamp records its hash), so repeated local runs skip the ~20 s install.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_DIR } from './tools.js';

export function setup(): void {
  const lock = readFileSync(join(TOOLS_DIR, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex');
  const stamp = join(TOOLS_DIR, 'node_modules', '.lockfile-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  // --loglevel error: npm runs on Node 20 here and warns that the tools want 22, which they get when they run.
  // npm exports its settings to scripts as npm_config_* variables, which a nested npm would read as command-line
  // flags (npm 11 refuses some of them in a project install); the nested install reads the npmrc files itself.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', TOOLS_DIR, '--loglevel', 'error'], { cwd: TOOLS_DIR, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ci in ${TOOLS_DIR} failed (${r.error?.message ?? `exit ${r.status}`}).`);
  writeFileSync(stamp, hash);
}
