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

  it('shows client configurations that are either plainly the sandbox or complete for Tencent Cloud', () => {
    // A real SDKAppID without the keys would run the sandbox under an app it does not know.
    const CREDENTIALS = ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'TRTC_SDK_APP_ID', 'TRTC_SDK_SECRET_KEY'];
    const text = readme.toString('utf8');
    type Entry = { command: string; args: string[]; env?: Record<string, string> };
    const entries = [...text.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) => {
      const config = JSON.parse(m[1]!) as { mcpServers?: Record<string, Entry>; servers?: Record<string, Entry> };
      return Object.values(config.mcpServers ?? config.servers ?? {});
    });
    const kinds = entries.map((e) => (e.args.includes('--sandbox') ? (e.env ? 'mixed' : 'sandbox') : Object.keys(e.env ?? {}).sort().join() === [...CREDENTIALS].sort().join() ? 'complete' : 'incomplete'));
    expect(kinds.sort()).toEqual(['complete', 'sandbox']);
    const claudeCode = /`(claude mcp add [^`]+)`/.exec(text)![1]!;
    expect(claudeCode).toMatch(/ --sandbox$/);
  });

  it('says that binding beyond loopback needs both a token and the host names clients use', () => {
    const text = readme.toString('utf8').replace(/\s+/g, ' ');
    expect(text).toMatch(/Beyond loopback \(`--host`\) the server needs both a bearer token .* and `--allowed-hosts <the host name or IP clients use>`/);
  });
});
