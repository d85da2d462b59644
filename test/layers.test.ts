// The guardrails decide permissions apart from any protocol: their imports run one way, towards the catalog and
// the store, never towards an era, an SDK, a transport or discovery.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../src/guardrails/', import.meta.url));
const ALLOWED_SERVER = new Set(['../server/catalog.js', '../server/tool-list.js']);

describe('the guardrails folder', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('holds scope, effect, consent, ledger, audit, exposure and identity', () => {
    expect(files.sort()).toEqual(expect.arrayContaining(['audit.ts', 'consent.ts', 'effect.ts', 'exposure.ts', 'identity.ts', 'ledger.ts', 'scope.ts']));
  });

  it.each(readdirSync(dir).filter((f) => f.endsWith('.ts')))('%s imports no protocol, SDK, transport or discovery code', (file) => {
    const source = readFileSync(`${dir}${file}`, 'utf8');
    const specifiers = [...source.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
    const wrong = specifiers.filter(
      (s) => s.startsWith('@modelcontextprotocol/') || s.includes('/transports/') || (s.startsWith('../server/') && !ALLOWED_SERVER.has(s)) || s.includes('/events/'),
    );
    expect(wrong).toEqual([]);
  });
});

describe('the jobs folder', () => {
  const jobsDir = fileURLToPath(new URL('../src/jobs/', import.meta.url));
  const ERA = /^@modelcontextprotocol\/(server|node|client)|\/transports\/|^\.\.\/server\/(modern|server|tasks|input-required)\.js$/;

  it.each(readdirSync(jobsDir).filter((f) => f.endsWith('.ts')))('%s knows no protocol era: the tasks extension is the 2026-07-28 adapter\'s (src/server/tasks.ts)', (file) => {
    const source = readFileSync(`${jobsDir}${file}`, 'utf8');
    const specifiers = [...source.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
    expect(specifiers.filter((s) => ERA.test(s))).toEqual([]);
  });
});
