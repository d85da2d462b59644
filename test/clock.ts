// The moved clock of `npm run test:clock`: libfaketime, preloaded into every process. A child started with a
// minimal environment would lose it and run on the real clock, so every spawn goes through minimalEnv.

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
