// Configuration: one table, flags over environment, clear errors that name the setting.
import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, loadConfig } from '../src/config.js';

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
    expect(loadConfig(['--port', '8080'], { TRTC_MCP_PORT: '9090' }).port).toBe(8080);
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

  it('never echoes a secret value in an error', () => {
    expect(() => loadConfig([], { TENCENTCLOUD_SECRET_ID: 'x', TENCENTCLOUD_SECRET_KEY: '' })).toThrow(/TENCENTCLOUD_SECRET_KEY/);
  });

  it('reads the callback settings: the key from the environment only, the listener as HOST:PORT', () => {
    expect(loadConfig(['--callbacks-listen', '127.0.0.1:8787'], { TRTC_CALLBACK_KEY: 'AbC123xyz' })).toMatchObject({
      callbackKey: 'AbC123xyz', callbacksListen: '127.0.0.1:8787', callbacksRate: 1000, eventsMax: 10_000, eventsMaxAge: 86_400,
    });
    expect(loadConfig(['--callbacks-listen', '[::1]:0'], {}).callbacksListen).toBe('[::1]:0');
    expect(() => loadConfig(['--callback-key', 'k'], {})).toThrow(/Unknown option/);
    expect(() => loadConfig([], { TRTC_CALLBACK_KEY: 'has spaces and "quotes"' })).toThrow(/TRTC_CALLBACK_KEY: must be letters and digits.*\(got \(hidden\)\)/);
    expect(() => loadConfig(['--callbacks-listen', '8787'], {})).toThrow(/--callbacks-listen: must be HOST:PORT/);
    expect(() => loadConfig(['--callbacks-listen', 'localhost:99999'], {})).toThrow(/port 99999 must be at most 65535/);
    expect(() => loadConfig(['--events-max-age', '60'], {})).toThrow(/--events-max-age: must be at least 600/);
  });

  it('has no flag for secrets, so they never appear on a command line', () => {
    expect(() => loadConfig(['--secret-key', 'k'], {})).toThrow(/Unknown option/);
    expect(helpText('x')).toMatch(/\(environment only\)\s+Tencent Cloud API SecretKey/);
  });
});
