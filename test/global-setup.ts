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
  summariseGuardrails(files, logs);
  if (secrets.size === 0 && bytes === 0) return; // a partial run that started no server
  if (secrets.size === 0 || bytes === 0) fail('The secret sweep had nothing to check: the capture is broken.');
  process.stdout.write(`secret sweep: ${secrets.size} configured secrets, none found in ${bytes} bytes of tool results and logs from ${logs.length} test files\n`);
}

/** The attacks the guardrail tests tried, how many got a request through, and how scope resolved targets. */
function summariseGuardrails(files: string[], logs: string[]): void {
  const attacks = files.filter((f) => f.startsWith('attacks-')).flatMap((f) => readFileSync(`${dir}${f}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; sent: number; leaked: number }));
  if (!attacks.length) return;
  let ledger = 0;
  let lookup = 0;
  for (const f of logs) {
    for (const m of readFileSync(`${dir}${f}`, 'utf8').matchAll(/scope resolved tool=\S+ ledger=(\d+) lookup=(\d+)/g)) {
      ledger += Number(m[1]);
      lookup += Number(m[2]);
    }
  }
  const through = attacks.filter((a) => a.sent > 0 || a.leaked > 0);
  process.stdout.write(
    `guardrails: ${attacks.length} attacks tried, ${attacks.filter((a) => a.sent > 0).length} sent a request to the sandbox, ` +
      `${attacks.filter((a) => a.leaked > 0).length} got out-of-scope data back; targets resolved by the ledger ${ledger} times, by lookups ${lookup}\n`,
  );
  if (through.length) fail(`Attacks got through:\n${through.map((a) => `${a.name} (${a.sent} requests, ${a.leaked} leaked)`).join('\n')}`);
}

/** vitest reports an error thrown here but keeps its exit code, so set ours too. */
function fail(message: string): never {
  process.exitCode = 1;
  throw new Error(message);
}
