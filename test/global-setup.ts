// Runs around the whole suite: at the end, sweeps every tool result and every server log line the tests captured
// for every secret the tests configured. One hit fails the run.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../.test-output/', import.meta.url));

export function setup(): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export function teardown(): void {
  const files = readdirSync(dir);
  const secrets = new Set(
    files.filter((f) => f.startsWith('secrets-')).flatMap((f) => readFileSync(`${dir}${f}`, 'utf8').split('\n').filter((s) => s.length >= 8)),
  );
  const logs = files.filter((f) => f.startsWith('output-'));
  const leaks: string[] = [];
  let bytes = 0;
  for (const f of logs) {
    const content = readFileSync(`${dir}${f}`, 'utf8');
    bytes += content.length;
    for (const s of secrets) if (content.includes(s)) leaks.push(`${f}: a secret starting ${s.slice(0, 4)}…`);
  }
  if (leaks.length) fail(`Secrets leaked into test output:\n${leaks.join('\n')}`);
  if (secrets.size === 0 && bytes === 0) return; // a partial run that started no server
  if (secrets.size === 0 || bytes === 0) fail('The secret sweep had nothing to check: the capture is broken.');
  process.stdout.write(`secret sweep: ${secrets.size} configured secrets, none found in ${bytes} bytes of tool results and logs from ${logs.length} test files\n`);
}

/** vitest reports an error thrown here but keeps its exit code, so set ours too. */
function fail(message: string): never {
  process.exitCode = 1;
  throw new Error(message);
}
