// The listings MCP users install from: server.json for the MCP registry, checked against the registry's own schema
// (test/fixtures/server.schema.2025-12-11.md says where that copy comes from), and the MCP bundle's manifest. Both
// follow package.json and name only settings the server has, secrets marked as such. The bundle itself is built,
// unpacked and run by npm run test:install.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const pkg = json('package.json') as { name: string; version: string; mcpName: string; license: string };
const serverJson = json('server.json');
const bundle = json('bundle/manifest.json');
const schemaFile = readFileSync(new URL('test/fixtures/server.schema.2025-12-11.json', root));
const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** The settings docs/configuration.md lists, by their environment variable. */
const documented = new Set([...readFileSync(new URL('docs/configuration.md', root), 'utf8').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
/** Settings whose values are secrets (the same families the test helpers treat as secret). */
const SECRET = /SECRET_?KEY|TOKEN/;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const validate = addFormats(new Ajv({ allErrors: true, strict: false })).compile(JSON.parse(schemaFile.toString('utf8')));
const problems = (doc: unknown) => (validate(doc) ? [] : validate.errors!.map((e) => `${e.instancePath || '/'} ${e.message}`));

describe('server.json for the MCP registry', () => {
  it('is checked against the 2025-12-11 schema as the registry publishes it', () => {
    expect(JSON.parse(schemaFile.toString('utf8')).$id).toBe(SCHEMA_URL);
    // The published file's digest, as other projects that keep a copy of it record it.
    expect(createHash('sha256').update(schemaFile).digest('hex')).toBe('3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0');
    expect(serverJson.$schema).toBe(SCHEMA_URL);
  });

  it('is valid against that schema, and the check refuses what the registry would', () => {
    expect(problems(serverJson)).toEqual([]);
    expect(problems({ ...serverJson, description: 'x'.repeat(101) })).toContain('/description must NOT have more than 100 characters');
    expect(problems({ ...serverJson, name: 'trtc-mcp' }).join('\n')).toMatch(/\/name must match pattern/);
  });

  it('names the npm package at the version of package.json, under the name npm checks', () => {
    expect(serverJson.version).toBe(pkg.version);
    expect(serverJson.name).toBe(pkg.mcpName);
    expect(serverJson.packages).toEqual([expect.objectContaining({ registryType: 'npm', identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } })]);
  });

  it('lists the credentials, the site and the sandbox switch, secrets marked secret', () => {
    const env = serverJson.packages[0].environmentVariables as Array<{ name: string; isSecret?: boolean }>;
    expect(env.map((v) => v.name)).toEqual(['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'TRTC_SDK_APP_ID', 'TRTC_SDK_SECRET_KEY', 'TRTC_SITE', 'TRTC_SANDBOX']);
    for (const v of env) {
      expect(documented.has(v.name), `${v.name} is a setting of the server`).toBe(true);
      expect(v.isSecret === true, `${v.name} isSecret`).toBe(SECRET.test(v.name));
    }
  });
});

describe('the MCP bundle manifest (bundle/manifest.json)', () => {
  const config = bundle.server.mcp_config as { command: string; args: string[]; env: Record<string, string> };
  const options = bundle.user_config as Record<string, { type: string; sensitive?: boolean; required?: boolean; default?: unknown }>;

  it('is manifest 0.3 at the version and licence of package.json, for Node 20.10 and newer', () => {
    expect(bundle.manifest_version).toBe('0.3');
    expect(bundle.version).toBe(pkg.version);
    expect(bundle.license).toBe(pkg.license);
    expect(bundle.compatibility.runtimes.node).toBe('>=20.10.0');
    expect(config).toMatchObject({ command: 'node', args: [`\${__dirname}/${bundle.server.entry_point}`] });
  });

  it('asks for the credentials (secrets as sensitive), the site and the sandbox switch, and passes each to a setting', () => {
    const used = Object.entries(config.env).map(([name, value]) => [name, /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1]] as const);
    expect(Object.fromEntries(used)).toEqual({
      TENCENTCLOUD_SECRET_ID: 'secret_id',
      TENCENTCLOUD_SECRET_KEY: 'secret_key',
      TRTC_SDK_APP_ID: 'sdk_app_id',
      TRTC_SDK_SECRET_KEY: 'sdk_secret_key',
      TRTC_SITE: 'site',
      TRTC_SANDBOX: 'sandbox',
    });
    expect(Object.keys(options).sort()).toEqual(used.map(([, key]) => key).sort());
    for (const [name, key] of used) {
      expect(documented.has(name), `${name} is a setting of the server`).toBe(true);
      expect(options[key!]!.sensitive === true, `${key} sensitive`).toBe(SECRET.test(name));
      // A host leaves an unset option's placeholder in place: each has a default the server reads as "not set".
      expect(options[key!]!.default, `${key} default`).toBeDefined();
    }
    expect(options.sandbox).toMatchObject({ type: 'boolean', default: false });
    expect(options.site!.default).toBe('intl');
  });
});
