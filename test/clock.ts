// The moved clock of `npm run test:clock`: libfaketime, preloaded into every process. A child started with a
// minimal environment would lose it and run on the real clock, so every spawn goes through minimalEnv.
import { existsSync, readdirSync } from 'node:fs';

/** What moves the clock under libfaketime. */
const CLOCK_VARIABLES = ['FAKETIME', 'LD_PRELOAD', 'FAKETIME_DONT_FAKE_MONOTONIC'];

/** The moved clock's settings, when the suite runs under one (else nothing). */
export function clockEnv(): Record<string, string> {
  return Object.fromEntries(CLOCK_VARIABLES.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
}

/** The least environment a spawned process needs: PATH, and the moved clock when there is one. */
export function minimalEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...clockEnv() };
}

/** Where libfaketime is (Debian's package faketime); undefined when it is not installed. */
function libfaketime(): string | undefined {
  const dirs = ['/usr/lib/faketime', '/usr/local/lib/faketime', ...readdirSync('/usr/lib').map((d) => `/usr/lib/${d}/faketime`)];
  return dirs.map((d) => `${d}/libfaketime.so.1`).find((f) => existsSync(f));
}

/**
 * The environment of a process whose clock runs `seconds` away from this one's (negative: behind), on top of the
 * moved clock of test:clock when there is one. Needs libfaketime.
 */
export function skewedClockEnv(seconds: number): Record<string, string> {
  const lib = libfaketime();
  if (!lib) throw new Error('a moved clock needs libfaketime: install the Debian package faketime');
  const base = Number(/^([+-]?\d+)s?$/.exec(process.env.FAKETIME ?? '')?.[1] ?? 0);
  const offset = base + seconds;
  const preload = process.env.LD_PRELOAD?.includes('libfaketime') ? process.env.LD_PRELOAD : [lib, process.env.LD_PRELOAD].filter(Boolean).join(' ');
  return { FAKETIME: `${offset >= 0 ? '+' : ''}${offset}s`, LD_PRELOAD: preload! };
}
