// The cost of OAuth per call. First the edge's own work in this process: authenticate() on a request carrying a JWT
// access token, with the issuer's key set cached (ES256 and RS256), against the shared-token comparison. Then end to
// end over Streamable HTTP in each protocol era: the same tool call through a server with --auth oauth and one with
// --auth token, in interleaved blocks; the difference of the medians is what validation adds to a call.
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { benchSandbox, CLI, ERAS, fmt, loadTs, median, quantile, REVISION, start } from './lib.mjs';

const MICRO = Number(process.env.AUTH_CALLS ?? 20_000);
const CALLS = Number(process.env.CALLS ?? 600);
const BLOCK = 50;

// An authorization server reduced to what a resource server reads: its metadata and its keys.
const keys = {};
for (const alg of ['ES256', 'RS256']) {
  const pair = await generateKeyPair(alg);
  keys[alg] = { ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid: `bench-${alg}`, alg, use: 'sig' } };
}
const issuerServer = http.createServer((req, res) => {
  const body = req.url === '/jwks' ? { keys: Object.values(keys).map((k) => k.jwk) } : { issuer, jwks_uri: `${issuer}/jwks` };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});
await new Promise((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${issuerServer.address().port}`;

const now = () => Math.floor(Date.now() / 1000);
const tokenFor = (alg, resource) =>
  new SignJWT({ sub: 'bench-user', scope: 'trtc:read trtc:write', name: 'Bench User' })
    .setProtectedHeader({ alg, kid: `bench-${alg}`, typ: 'at+jwt' })
    .setIssuer(issuer).setAudience(resource).setIssuedAt().setExpirationTime(now() + 3600)
    .sign(keys[alg].privateKey);

// 1. The edge alone.
const { createAuthenticator } = await loadTs('src/auth/edge.ts');
const log = { debug() {}, info() {}, warn() {}, error() {} };
const resource = 'https://mcp.example.com';
const SHARED = 'bench-shared-token-0123456789';
const authenticators = {
  'shared token (compare)': { auth: createAuthenticator({ config: { auth: 'token', authToken: SHARED }, log }), token: SHARED },
};
for (const alg of Object.keys(keys)) {
  authenticators[`JWT ${alg}, cached key set`] = {
    auth: createAuthenticator({ config: { auth: 'oauth', oauthIssuer: issuer, oauthResource: resource, oauthAlgorithms: ['ES256', 'RS256'], oauthClockSkew: 30 }, log }),
    token: await tokenFor(alg, resource),
  };
}
console.log(`token validation at the edge, ${MICRO} requests each (median of 100-call batches, per request); a client sends the same token with every request:`);
const perCall = {};
for (const [name, { auth, token }] of Object.entries(authenticators)) {
  const req = { headers: { authorization: `Bearer ${token}` } };
  for (let i = 0; i < 500; i++) if (!(await auth.authenticate(req)).identity) throw new Error(`${name}: refused`);
  const batches = [];
  for (let done = 0; done < MICRO; done += 100) {
    const t = performance.now();
    for (let i = 0; i < 100; i++) await auth.authenticate(req);
    batches.push((performance.now() - t) / 100);
  }
  perCall[name] = median(batches);
  console.log(`  ${name.padEnd(33)} ${(perCall[name] * 1000).toFixed(1).padStart(7)} µs   p99 batch ${(quantile(batches, 0.99) * 1000).toFixed(1)} µs`);
}
// The first request with each token checks its signature; later ones find it verified.
const FIRST = 2_000;
for (const alg of Object.keys(keys)) {
  const { auth } = authenticators[`JWT ${alg}, cached key set`];
  const fresh = await Promise.all(Array.from({ length: FIRST }, () => tokenFor(alg, resource).then((t) => new SignJWT({ sub: 'bench-user', scope: 'trtc:read', n: Math.random() }).setProtectedHeader({ alg, kid: `bench-${alg}`, typ: 'at+jwt' }).setIssuer(issuer).setAudience(resource).setExpirationTime(now() + 3600).sign(keys[alg].privateKey))));
  const batches = [];
  for (let done = 0; done < FIRST; done += 100) {
    const t = performance.now();
    for (let i = done; i < done + 100; i++) if (!(await auth.authenticate({ headers: { authorization: `Bearer ${fresh[i]}` } })).identity) throw new Error('refused');
    batches.push((performance.now() - t) / 100);
  }
  perCall[`first use ${alg}`] = median(batches);
  console.log(`  ${`JWT ${alg}, first use of a token`.padEnd(33)} ${(median(batches) * 1000).toFixed(1).padStart(7)} µs   (signature checked; ${FIRST} distinct tokens)`);
}

// 2. End to end, both eras.
const { sb, env } = await benchSandbox();
const args = { StartTime: now() - 3600, EndTime: now() };
const servers = {};
for (const mode of ['token', 'oauth']) {
  // The canonical URI must be known before the server starts: a port picked now.
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
  const url = `http://127.0.0.1:${port}`;
  const flags = mode === 'oauth' ? ['--auth', 'oauth', '--oauth-issuer', issuer, '--oauth-resource', url] : ['--auth', 'token'];
  const { child } = await start([CLI, '--transport', 'http', '--port', String(port), '--toolsets', 'quality', '--log-level', 'info', ...flags], { ...env, ...(mode === 'token' && { TRTC_MCP_AUTH_TOKEN: SHARED }) });
  while ((await fetch(`${url}/healthz`).catch(() => undefined))?.status !== 200) await new Promise((r) => setTimeout(r, 50));
  servers[mode] = { child, url, token: mode === 'oauth' ? await tokenFor('ES256', url) : SHARED };
}

async function connect(era, { url, token }) {
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (era === 'legacy') {
    const c = new Client({ name: 'bench-auth', version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit }));
    return c;
  }
  const c = new ModernClient({ name: 'bench-auth', version: '1' }, { versionNegotiation: { mode: { pin: REVISION } } });
  await c.connect(new ModernTransport(new URL(`${url}/mcp`), { requestInit }));
  return c;
}

console.log(`per-call latency over Streamable HTTP, DescribeRoomInfo x ${CALLS} each, interleaved blocks of ${BLOCK}:`);
const verdicts = [];
for (const era of ERAS) {
  const clients = { token: await connect(era, servers.token), oauth: await connect(era, servers.oauth) };
  const lat = { token: [], oauth: [] };
  const one = async (c, into) => {
    const t = performance.now();
    const r = await c.callTool({ name: 'DescribeRoomInfo', arguments: args });
    if (r.isError) throw new Error(r.content[0].text);
    into?.push(performance.now() - t);
  };
  for (const c of Object.values(clients)) for (let i = 0; i < 50; i++) await one(c);
  for (let done = 0; done < CALLS; done += BLOCK) for (const mode of ['token', 'oauth']) for (let i = 0; i < BLOCK; i++) await one(clients[mode], lat[mode]);
  for (const c of Object.values(clients)) await c.close();
  const [t, o] = [median(lat.token), median(lat.oauth)];
  console.log(`  ${era}: --auth token median ${fmt(t)} p99 ${fmt(quantile(lat.token, 0.99))}; --auth oauth median ${fmt(o)} p99 ${fmt(quantile(lat.oauth, 0.99))}; difference ${fmt(o - t)}`);
  verdicts.push(`${era}: ${(o - t).toFixed(3)} ms`);
}
for (const { child } of Object.values(servers)) child.kill();
await sb.close();
issuerServer.close();
const validation = perCall['JWT ES256, cached key set'] - perCall['shared token (compare)'];
console.log(`  target: token validation with a cached key set <= 0.1 ms per call: ${validation <= 0.1 ? 'met' : 'MISSED'} (${(validation * 1000).toFixed(1)} µs at the edge, ES256); end-to-end differences (noise included): ${verdicts.join('; ')}`);
