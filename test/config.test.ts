// Configuration: one table, flags over environment, clear errors that name the setting.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, helpText, loadConfig, renderConfigDoc, sandboxHelpText, startupWarnings } from '../src/config.js';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ transport: 'stdio', host: '127.0.0.1', port: 3000, region: 'ap-singapore', domain: 'trtc.intl.tencentcloudapi.com', sandbox: false, adminUserId: 'administrator' });
    expect(c.secretId).toBeUndefined();
  });

  it('reads the environment, including the no-underscore credential spellings', () => {
    const c = loadConfig([], { TENCENTCLOUD_SECRETID: 'id-1', TENCENTCLOUD_SECRETKEY: 'key-1', TENCENTCLOUD_SESSIONTOKEN: 'tok-1', TRTC_SDK_APP_ID: '1400000001', TENCENTCLOUD_REGION: 'ap-guangzhou' });
    expect(c).toMatchObject({ secretId: 'id-1', secretKey: 'key-1', sessionToken: 'tok-1', sdkAppId: 1400000001, region: 'ap-guangzhou' });
  });

  it('lets a flag win over its environment variable', () => {
    expect(loadConfig(['--port', '8080', '--transport', 'http'], { TRTC_MCP_PORT: '9090' }).port).toBe(8080);
    expect(loadConfig(['--sandbox'], { TRTC_SANDBOX: '0' }).sandbox).toBe(true);
    expect(loadConfig([], { TRTC_SANDBOX: 'true' }).sandbox).toBe(true);
  });

  it.each([
    [['--port', '70000'], {}, '--port: must be at most 65535'],
    [['--region', 'Singapore'], {}, '--region: must look like ap-singapore'],
    [['--domain', 'example.com'], {}, '--domain'],
    [[], { TRTC_ENDPOINT: 'ftp://x' }, 'TRTC_ENDPOINT'],
    [[], { TRTC_SDK_APP_ID: 'abc' }, 'TRTC_SDK_APP_ID: must be a number'],
    [[], { TENCENTCLOUD_SECRET_KEY: 'k' }, 'TENCENTCLOUD_SECRET_ID is not'],
  ])('rejects %j %j naming the setting', (argv, env, message) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(message);
  });

  it('picks the REST host by data center, with an endpoint override for tests', () => {
    expect(loadConfig([], {})).toMatchObject({ restRegion: 'singapore', restEndpoint: undefined });
    expect(loadConfig(['--rest-region', 'china'], {}).restRegion).toBe('china');
    expect(loadConfig([], { TRTC_REST_ENDPOINT: 'http://127.0.0.1:9/' }).restEndpoint).toBe('http://127.0.0.1:9/');
    expect(() => loadConfig(['--rest-region', 'mars'], {})).toThrow(/--rest-region: .*"china"/);
    expect(helpText('x')).toMatch(/--rest-region <value>\s+Data center .*china, singapore, usa, germany, korea, india, indonesia \[default: singapore\]\n\s+env: TRTC_REST_REGION/);
    expect(helpText('x')).toMatch(/--rest-endpoint <value>.*\n\s+env: TRTC_REST_ENDPOINT/);
  });

  it('derives the site from the domain and the domain from the site, and refuses the two disagreeing', () => {
    expect(loadConfig([], {})).toMatchObject({ site: 'intl', domain: 'trtc.intl.tencentcloudapi.com' });
    expect(loadConfig(['--site', 'cn'], {})).toMatchObject({ site: 'cn', domain: 'trtc.tencentcloudapi.com' });
    expect(loadConfig([], { TRTC_API_DOMAIN: 'trtc.tencentcloudapi.com' })).toMatchObject({ site: 'cn', domain: 'trtc.tencentcloudapi.com' });
    expect(loadConfig(['--site', 'intl', '--domain', 'trtc.intl.tencentcloudapi.com'], {}).site).toBe('intl');
    expect(() => loadConfig(['--site', 'cn', '--domain', 'trtc.intl.tencentcloudapi.com'], {})).toThrow('--site cn and --domain trtc.intl.tencentcloudapi.com disagree');
    expect(() => loadConfig([], { TRTC_SITE: 'us' })).toThrow(/TRTC_SITE/);
    expect(helpText('x')).toMatch(/--site <value>\s+Tencent Cloud site: intl or cn\..*\[default: the site of --domain, else intl\]\n\s+env: TRTC_SITE/);
  });

  it('never echoes a secret value in an error', () => {
    expect(() => loadConfig([], { TENCENTCLOUD_SECRET_ID: 'x', TENCENTCLOUD_SECRET_KEY: '' })).toThrow(/TENCENTCLOUD_SECRET_KEY/);
  });

  it('never echoes URL userinfo, or a value holding a configured secret, in an error about another setting', () => {
    const key = 'the-secret-key-value';
    const message = (env: Record<string, string>, argv: string[] = []) => {
      try {
        loadConfig(argv, env);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(message({ TENCENTCLOUD_SECRET_KEY: key, TRTC_ENDPOINT: `ftp://user:${key}@x/` })).toBe(
      'Invalid setting TRTC_ENDPOINT: Invalid URL (got "ftp://(userinfo hidden)@x/"). Run with --help to see every setting.',
    );
    expect(message({ TRTC_ENDPOINT: 'ftp://user:pw@x/' })).not.toContain('pw');
    expect(message({ TRTC_SDK_SECRET_KEY: key, TRTC_MCP_LOG_LEVEL: `loud-${key}` })).toContain('(got "loud-(hidden)")');
    expect(message({ TRTC_MCP_AUTH_TOKEN: 'a-long-enough-auth-token' }, ['--region', 'a-long-enough-auth-token'])).not.toContain('a-long-enough-auth-token');
  });

  it('takes a Redis password from the environment only, and names every replica', () => {
    expect(() => loadConfig(['--store', 'redis://:hunter2-redis@redis:6379/0'], {})).toThrow(
      '--store carries a password, and a command line is visible to every local user: set TRTC_MCP_STORE to the URL instead.',
    );
    expect(loadConfig([], { TRTC_MCP_STORE: 'redis://:hunter2-redis@redis:6379/0' }).store).toBe('redis://:hunter2-redis@redis:6379/0');
    expect(loadConfig(['--store', 'redis://redis:6379/0'], {}).store).toBe('redis://redis:6379/0');
    expect(loadConfig(['--replica-id', 'mcp-7'], {}).replicaId).toBe('mcp-7');
    expect(loadConfig([], {}).replicaId).toBe(`${hostname()}-${process.pid}`);
    expect(() => loadConfig([], { TRTC_MCP_REPLICA_ID: 'has space' })).toThrow(/TRTC_MCP_REPLICA_ID: must be 1 to 128 letters/);
  });

  it('lists the accepted values of a switch, and remembers where each setting came from', () => {
    expect(() => loadConfig([], { TRTC_SANDBOX: 'maybe' })).toThrow('Invalid setting TRTC_SANDBOX: must be one of 1, 0, true, false, yes, no (got "maybe")');
    expect(loadConfig(['--port', '8080', '--transport', 'http'], { TRTC_SANDBOX: '1' }).sources).toEqual({ port: '--port', transport: '--transport', sandbox: 'TRTC_SANDBOX' });
  });

  it('refuses HTTP-only flags on stdio, and warns of HTTP-only environment settings', () => {
    expect(() => loadConfig(['--port', '3000'], {})).toThrow('--port applies to the HTTP transport only, and this server would serve stdio: add --transport http, or leave it out.');
    expect(loadConfig(['--port', '3000'], { TRTC_MCP_TRANSPORT: 'http' }).port).toBe(3000);
    expect(startupWarnings(loadConfig([], { TRTC_MCP_PORT: '3000', TRTC_MCP_MAX_SESSIONS: '5' }))).toEqual([
      'TRTC_MCP_PORT, TRTC_MCP_MAX_SESSIONS are set, but only the HTTP transport reads them; serving stdio (set TRTC_MCP_TRANSPORT=http or pass --transport http for HTTP)',
    ]);
    expect(startupWarnings(loadConfig([], {}))).toEqual([]);
    // Beyond loopback, the names clients use must be listed: the warning says where.
    const wide = { TRTC_MCP_AUTH_TOKEN: 'warn-bearer-token-0123456789' };
    expect(startupWarnings(loadConfig(['--transport', 'http', '--host', '0.0.0.0'], wide))).toEqual([
      "serving HTTP on 0.0.0.0: requests are admitted only by a loopback name or 0.0.0.0 in their Host header; add the names clients use (this machine's IP address or host name) to --allowed-hosts",
    ]);
    expect(startupWarnings(loadConfig(['--transport', 'http', '--host', '0.0.0.0', '--allowed-hosts', 'mcp.example'], wide))).toEqual([]);
    expect(startupWarnings(loadConfig(['--transport', 'http'], {}))).toEqual([]);
  });

  it('reads the callback settings: the key from the environment only, the listener as HOST:PORT', () => {
    expect(loadConfig(['--callbacks-listen', '127.0.0.1:8787'], { TRTC_CALLBACK_KEY: 'AbC123xyzAbC123xyz' })).toMatchObject({
      callbackKey: 'AbC123xyzAbC123xyz', callbacksListen: '127.0.0.1:8787', callbacksRate: 1000, eventsMax: 10_000, eventsMaxAge: 86_400,
    });
    expect(loadConfig(['--callbacks-listen', '[::1]:0'], {}).callbacksListen).toBe('[::1]:0');
    expect(() => loadConfig(['--callback-key', 'k'], {})).toThrow(/--callback-key is not accepted: .* Set TRTC_CALLBACK_KEY\./);
    expect(() => loadConfig([], { TRTC_CALLBACK_KEY: 'has spaces and "quotes"' })).toThrow(/TRTC_CALLBACK_KEY: must be letters and digits.*\(got \(hidden\)\)/);
    // The key is the callbacks' only authentication: a short one is refused, not warned about.
    // A room pattern says which kind of room it means; `*` alone could mean both, and is refused.
    expect(loadConfig(['--allow-rooms', '1234,str:1234,team-*'], {}).allowRooms).toEqual(['1234', 'str:1234', 'team-*']);
    expect(() => loadConfig(['--allow-rooms', '*'], {})).toThrow(/Invalid setting --allow-rooms: "\*" could mean numeric or string rooms: write int:\* for every numeric room, str:\* for every string room/);
    expect(() => loadConfig(['--allow-rooms', 'int:a*'], {})).toThrow(/a numeric room pattern has only digits and \*/);
    expect(() => loadConfig([], { TRTC_CALLBACK_KEY: 'ab' })).toThrow(/TRTC_CALLBACK_KEY: must have at least 16 characters.*\(got \(hidden\)\)/);
    expect(loadConfig([], { TRTC_CALLBACK_KEY: 'a'.repeat(16) }).callbackKey).toBe('a'.repeat(16));
    expect(() => loadConfig(['--callbacks-listen', '8787'], {})).toThrow(/--callbacks-listen: must be HOST:PORT/);
    expect(() => loadConfig(['--callbacks-listen', 'localhost:99999'], {})).toThrow(/port 99999 must be at most 65535/);
    expect(() => loadConfig(['--events-max-age', '60'], {})).toThrow(/--events-max-age: must be at least 600/);
  });

  it('has no flag for secrets, so they never appear on a command line', () => {
    expect(() => loadConfig(['--secret-key', 'k'], {})).toThrow(/^--secret-key is not accepted: a command line is visible to every local user\. Set TENCENTCLOUD_SECRET_KEY\.$/);
    expect(helpText('x')).toMatch(/\(environment only\)\s+Tencent Cloud API SecretKey/);
  });
});

describe('the configuration reference', () => {
  it('docs/configuration.md is up to date (run `npm run docs`)', () => {
    expect(readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8')).toBe(renderConfigDoc());
  });

  it('agrees with --help on every setting: flag, environment variables and default', () => {
    // From --help: each setting's first line (flag, help, [default]) and its "env:" line.
    const fromHelp = (text: string) => {
      const out = new Map<string, { env: string; default?: string }>();
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const m = /^ {2}(--[\w-]+(?: <value>)?|\(environment only\))\s{2,}(.*?)(?: \[default: (.*)\])?$/.exec(line);
        if (!m || m[1] === '--help') return;
        const env = /^\s+env: (.*)$/.exec(lines[i + 1] ?? '')?.[1] ?? '';
        out.set(m[1] === '(environment only)' ? env : m[1]!, { env, default: m[3] });
      });
      return out;
    };
    // From the reference: one table row per setting.
    const fromDoc = (section: string) => {
      const out = new Map<string, { env: string; default?: string }>();
      for (const line of section.split('\n')) {
        const m = /^\| (`--[\w-]+(?: <value>)?`|\(environment only\)) \| (.*?) \| (.*?) \| .* \|$/.exec(line);
        if (!m) continue;
        const env = m[2]!.replace(/`/g, '');
        out.set(m[1] === '(environment only)' ? env : m[1]!.replace(/`/g, ''), { env, default: m[3] ? m[3].replace(/\\([|<>])/g, '$1') : undefined });
      }
      return out;
    };
    const [server, sandbox] = renderConfigDoc().split('## trtc-mcp sandbox');
    const help = fromHelp(helpText('x'));
    expect(help.size).toBeGreaterThanOrEqual(45);
    expect(fromDoc(server!)).toEqual(help);
    expect(fromDoc(sandbox!)).toEqual(fromHelp(sandboxHelpText('x')));
    // The facts the README once got wrong.
    expect(help.get('--toolsets <value>')).toEqual({ env: 'TRTC_MCP_TOOLSETS', default: 'room,ai' });
    expect(help.get('--tools <value>')).toEqual({ env: 'TRTC_MCP_TOOLS', default: 'DescribeRoomInfo,DescribeUserInfo,DescribeUnusualEvent' });
    expect(help.get('--rate-limit-scale <value>')).toEqual({ env: 'TRTC_MCP_RATE_LIMIT_SCALE', default: '1' });
    expect(help.get('TRTC_MCP_CONFIRM_SECRET')!.default).toBe('derived from the SecretKey; in sandbox mode, a key kept in the state store (made for the run unless --store is set)');
  });
});

