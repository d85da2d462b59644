// npm run bench: every benchmark in turn, each printing its figures and its ratio against a reference
// measured in the same run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['tokens', 'answers', 'coldstart', 'overhead', 'telemetry', 'throughput', 'replicas', 'store', 'memory', 'auth', 'approvals', 'tasks'];
const only = process.argv.slice(2);
let failed = false;
for (const name of benches.filter((b) => !only.length || only.includes(b))) {
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`${name}.mjs`, import.meta.url))], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
