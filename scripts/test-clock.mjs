// npm run test:clock: the whole test suite (npm test) with the clock moved to the UTC instants where date
// arithmetic breaks: just after midnight, the end of the first hour, just before midnight, the last minute of a
// month and the first minute of a year. The clock is moved by libfaketime (Debian package `faketime`) with a
// relative offset, FAKETIME="+<seconds>s", so that every process, whenever it starts, sees the same moved clock
// (an absolute "@" time would start each process's clock afresh at that instant). The test helpers pass FAKETIME
// and LD_PRELOAD on to every process they start.
//
// npm run test:clock -- 23:58 ...   runs only the named instants.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The next moment, after `now`, at this UTC time of day. */
const nextAt = (now, hour, minute) => {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour, minute);
  return today > now.getTime() ? today : today + DAY;
};

/**
 * The instants, each in the future: a moved clock that runs ahead never runs behind the machine's monotonic
 * clock's start, and every instant exists once the offset is known.
 */
const INSTANTS = {
  '00:02': (now) => nextAt(now, 0, 2),
  '00:59': (now) => nextAt(now, 0, 59),
  '23:58': (now) => nextAt(now, 23, 58),
  // 23:59 on the last day of this month, or of the next month when that moment has passed.
  'last minute of a month': (now) => {
    const lastOf = (monthsAhead) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead + 1, 1) - MINUTE;
    return lastOf(0) > now.getTime() ? lastOf(0) : lastOf(1);
  },
  'first minute of a year': (now) => Date.UTC(now.getUTCFullYear() + 1, 0, 1),
};

function libfaketime() {
  const dirs = ['/usr/lib/faketime', '/usr/local/lib/faketime', ...readdirSync('/usr/lib').map((d) => `/usr/lib/${d}/faketime`)];
  const found = dirs.map((d) => `${d}/libfaketime.so.1`).find((f) => existsSync(f));
  if (!found) {
    console.error('test:clock needs libfaketime: install the Debian package faketime (apt-get install faketime).');
    process.exit(2);
  }
  return found;
}

const run = (args, env = process.env) => spawnSync('npm', args, { stdio: 'inherit', env }).status === 0;

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in INSTANTS));
if (unknown.length) {
  console.error(`Unknown instant ${unknown.join(', ')}; choose from: ${Object.keys(INSTANTS).join(', ')}.`);
  process.exit(2);
}
const lib = libfaketime();

// Build and type-check once, on the real clock; each run under a moved clock then skips npm test's pretest.
if (!run(['run', '--silent', 'pretest'])) process.exit(1);

/**
 * The failed tests of a run, from vitest's JSON report: the file, and "file > name: first line of the error". The
 * summary at the end of a long log is what survives when only its tail is kept, so it names what failed.
 */
function failuresIn(report) {
  if (!existsSync(report)) return [{ file: undefined, line: '(no report: the run ended before vitest wrote one)' }];
  const { testResults = [] } = JSON.parse(readFileSync(report, 'utf8'));
  const failed = [];
  for (const result of testResults) {
    const file = result.name.replace(`${process.cwd()}/`, '');
    const tests = (result.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (!tests.length && result.status === 'failed') failed.push({ file, line: `${file}: ${firstLine(result.message)}` });
    for (const t of tests) failed.push({ file, line: `${file} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}` });
  }
  return failed;
}
const firstLine = (text) => String(text ?? '').split('\n')[0].slice(0, 300);

const reports = mkdtempSync(join(tmpdir(), 'trtc-mcp-clock-'));
let runs = 0;

/** npm test (or only `files`) with the clock moved so that the run starts at the instant; its failures. */
function runAt(name, instant, files = []) {
  // Computed just before the run starts, so that the suite starts at the instant.
  const now = new Date();
  const target = instant(now);
  const offset = Math.round((target - now.getTime()) / 1000);
  const env = {
    ...process.env,
    FAKETIME: `+${offset}s`,
    LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(' '),
  };
  const what = files.length ? `the failed files again (${files.join(', ')})` : 'npm test';
  console.log(`\n=== ${what} at ${new Date(target).toISOString()} (${name}; FAKETIME=${env.FAKETIME}) ===`);
  const report = join(reports, `${runs++}.json`);
  const ok = run(['test', '--ignore-scripts', '--', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...files], env);
  return { at: new Date(target).toISOString(), ok, failed: ok ? [] : failuresIn(report) };
}

const results = [];
for (const [name, instant] of Object.entries(INSTANTS)) {
  if (chosen.length && !chosen.includes(name)) continue;
  const started = Date.now();
  const first = runAt(name, instant);
  // A failure is the instant's when it comes back at the same instant. One that does not is the machine's (a test
  // that lost a race under load): it is reported as flaky, by name, and does not fail the run.
  const files = [...new Set(first.failed.map((f) => f.file))];
  const again = first.ok || files.includes(undefined) ? undefined : runAt(name, instant, files);
  results.push({ name, ...first, again, seconds: Math.round((Date.now() - started) / 1000) });
}
rmSync(reports, { recursive: true, force: true });

console.log('\ntest:clock');
const passed = (r) => r.ok || r.again?.ok === true;
for (const r of results) {
  const verdict = r.ok ? 'pass' : passed(r) ? 'pass (flaky: failed once, passed again at the same instant)' : 'FAIL';
  console.log(`  ${verdict}  ${r.at}  ${r.name}  (${r.seconds} s)`);
  for (const f of r.failed) console.log(`        ${f.line}`);
  for (const f of r.again?.failed ?? []) console.log(`        again: ${f.line}`);
}
process.exit(results.every(passed) ? 0 : 1);
