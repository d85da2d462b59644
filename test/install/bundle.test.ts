// The MCP bundle as a host installs it: `mcpb validate` on the manifest, `npm run bundle` from a clone, the file
// unpacked by the official CLI, and the server started exactly as the manifest's mcp_config says, with ${__dirname}
// and the user's settings substituted by the official CLI's own code (getMcpConfigForManifest, as hosts do).
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { afterAll, describe, expect, it } from 'vitest';
import { rememberSecret } from '../helpers.js';
import { cleanUp, cloneHead, connect, DEFAULT_TOOLS, figure, ROOT, sh, tempDir, userEnv } from './lib.js';

const MCPB = join(ROOT, 'node_modules/.bin/mcpb');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
afterAll(cleanUp);

describe('the MCP bundle (npm run bundle)', () => {
  let unpacked: string;
  let manifest: McpbManifestAny;

  it('has a manifest that mcpb validate accepts', () => {
    const out = execFileSync(process.execPath, [MCPB, 'validate', join(ROOT, 'bundle/manifest.json')], { encoding: 'utf8' });
    expect(out).toContain('Manifest schema validation passes');
  });

  it('builds from a clone, and unpacks into the manifest, the server and its package.json', async () => {
    const clone = cloneHead('bundle');
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const file = join(tempDir('mcpb'), 'trtc-mcp.mcpb');
    const env = userEnv(undefined, tempDir('store'));
    const built = await sh(`npm run --silent bundle -- '${file}'`, clone, env);
    expect(built.code, built.stderr).toBe(0);
    unpacked = tempDir('unpacked');
    execFileSync(process.execPath, [MCPB, 'unpack', file, unpacked], { stdio: 'ignore' });
    manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as McpbManifestAny;
    expect(manifest.version).toBe(pkg.version);
    expect(JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'))).toMatchObject({ version: pkg.version, type: 'module' });
    figure(`bundle: npm run bundle took ${built.seconds.toFixed(1)} s`);
  });

  const SECRET_KEY = 'bundle-test-secret-key-0123456789';
  const SDK_SECRET_KEY = 'bundle-test-sdk-secret-key-0123456789';
  rememberSecret(SECRET_KEY, SDK_SECRET_KEY);
  it.each<{ settings: string; userConfig: Record<string, string | boolean>; mode: RegExp | undefined; site: string }>([
    { settings: 'none (the defaults)', userConfig: {}, mode: /SANDBOX MODE \(no Tencent Cloud credentials/, site: 'intl' },
    { settings: 'the sandbox switch, on the China site', userConfig: { sandbox: true, site: 'cn' }, mode: /SANDBOX MODE \(asked for by TRTC_SANDBOX\)/, site: 'cn' },
    {
      settings: 'the credentials',
      userConfig: { secret_id: 'AKIDbundletest', secret_key: SECRET_KEY, sdk_app_id: '1400000001', sdk_secret_key: SDK_SECRET_KEY },
      mode: undefined,
      site: 'intl',
    },
  ])('runs as its mcp_config says with $settings, and lists its tools', async ({ userConfig, mode, site }) => {
    const config = await getMcpConfigForManifest({ manifest, extensionPath: unpacked, systemDirs: {}, userConfig, pathSeparator: '/' });
    expect(config).toBeDefined();
    expect(JSON.stringify(config)).not.toContain('${');
    const session = await connect(config!.command, config!.args ?? [], unpacked, userEnv(undefined, tempDir('store'), config!.env ?? {}));
    try {
      expect(session.tools).toEqual(expect.arrayContaining(DEFAULT_TOOLS));
      expect(session.noise).toEqual([]);
      expect(session.client.getServerVersion()).toMatchObject({ name: pkg.name, version: pkg.version });
      // SetUserBlocked is offered on the international site only.
      expect(session.tools.includes('SetUserBlocked')).toBe(site === 'intl');
      if (mode) expect(session.stderr()).toMatch(mode);
      else expect(session.stderr()).not.toMatch(/SANDBOX MODE/);
    } finally {
      await session.close();
    }
  });
});
