// The guardrails decide permissions apart from any protocol: their imports run one way, towards the catalog and
// the store, never towards an era, an SDK, a transport or discovery. Nothing outside them decides a permission, and
// the pipeline is the one road to the API.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const dir = `${src}guardrails/`;
const ALLOWED_SERVER = new Set(['../server/catalog.js', '../server/tool-list.js']);
const sources = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => [f, readFileSync(`${src}${f}`, 'utf8')] as const);

describe('the guardrails folder', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('holds scope, effect, consent, approvals, ledger, audit, exposure and identity', () => {
    expect(files.sort()).toEqual(expect.arrayContaining(['approvals.ts', 'audit.ts', 'consent.ts', 'effect.ts', 'exposure.ts', 'identity.ts', 'ledger.ts', 'scope.ts']));
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

describe('where permissions are decided', () => {
  /**
   * Settings that grant or refuse, and the modules outside the guardrails that may read them: the instructions and
   * the prompts only describe them to the agent, and the pipeline hands the consent settings to consent.ts.
   */
  const PERMISSION = /\bconfig\.(denyTools|readOnly|allowApps|allowRooms|allowAccountWide|confirm|consentChannel)\b/g;
  const DESCRIBES_OR_PASSES: Record<string, readonly string[]> = {
    'server/instructions.ts': ['confirm', 'consentChannel', 'readOnly'],
    'server/pipeline.ts': ['confirm', 'consentChannel'],
    'server/prompts.ts': ['consentChannel'],
  };

  it('no module outside src/guardrails reads a permission setting to decide', () => {
    const deciding = sources.flatMap(([file, text]) =>
      file.startsWith('guardrails/') || file === 'config.ts'
        ? []
        : [...text.matchAll(PERMISSION)].map((m) => m[1]!).filter((setting) => !DESCRIBES_OR_PASSES[file]?.includes(setting)).map((setting) => `${file}: config.${setting}`));
    expect(deciding).toEqual([]);
  });

  it('only the pipeline sends to the API: every call, and every lookup scope or effect needs, takes its road', () => {
    const senders = sources.filter(([file, text]) => !file.startsWith('api/') && /\.invoke\(/.test(text)).map(([file]) => file);
    expect(senders).toEqual(['server/pipeline.ts']);
  });
});
