// npm run test:clock: the whole test suite (npm test) with the clock moved to the UTC instants where date
// arithmetic breaks: just after midnight, the end of the first hour, just before midnight, the last minute of a
// month and the first minute of a year. The clock is moved by libfaketime (Debian package `faketime`) with a
// relative offset, FAKETIME="+<seconds>s", so that every process, whenever it starts, sees the same moved clock
// (an absolute "@" time would start each process's clock afresh at that instant). The test helpers pass FAKETIME
// and LD_PRELOAD on to every process they start.
//
// npm run test:clock -- 23:58 ...   runs only the named instants.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

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

const results = [];
for (const [name, instant] of Object.entries(INSTANTS)) {
  if (chosen.length && !chosen.includes(name)) continue;
  // Computed just before the run starts, so that the suite starts at the instant.
  const now = new Date();
  const target = instant(now);
  const offset = Math.round((target - now.getTime()) / 1000);
  const env = {
    ...process.env,
    FAKETIME: `+${offset}s`,
    LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(' '),
  };
  console.log(`\n=== npm test at ${new Date(target).toISOString()} (${name}; FAKETIME=${env.FAKETIME}) ===`);
  const started = Date.now();
  const ok = run(['test', '--ignore-scripts'], env);
  results.push({ name, at: new Date(target).toISOString(), ok, seconds: Math.round((Date.now() - started) / 1000) });
}

console.log('\ntest:clock');
for (const r of results) console.log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.at}  ${r.name}  (${r.seconds} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
