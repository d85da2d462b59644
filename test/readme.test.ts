// The README is a newcomer's first page: short, and with the facts they need first.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url));

describe('README', () => {
  it('stays under 10 KB', () => {
    expect(readme.byteLength).toBeLessThanOrEqual(10_240);
  });

  it('opens with the two commands, then names the other suites and the settings people look for', () => {
    const text = readme.toString('utf8');
    expect(text.indexOf('npm install && npm start')).toBeGreaterThan(0);
    expect(text.indexOf('npm install && npm start')).toBeLessThan(text.indexOf('## Connecting a client'));
    for (const fact of ['npm install && npm test', 'npm run test:stress', 'npm run test:conformance', 'npm run test:clock', 'faketime', 'redis-server',
      'TRTC_MCP_AUTH_TOKEN', '--auth-token-file', '--consent-channel', '--site intl|cn', '--store', 'redis://', 'TRTC_CALLBACK_KEY', '/callbacks',
      '--callbacks-listen', '/sse', 'trtc://sandbox/world', 'docs/protocol.md']) {
      expect(text, fact).toContain(fact);
    }
    for (const client of ['Claude Desktop', 'Claude Code', 'Cursor', 'VS Code']) expect(text).toContain(`**${client}**`);
  });
});
