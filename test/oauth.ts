// A real OAuth 2.1 authorization server for the tests: oidc-provider on loopback, with resource indicators (RFC 8707)
// and JWT access tokens (RFC 9068) signed with ES256, PKCE required, one pre-registered public client, and users
// whose scopes it grants by their role. Its login and consent pages are small HTML forms that a test browser fills
// in (user name, then "allow"), as a person would; the client is the MCP SDK's own OAuth support.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { StreamableHTTPClientTransport as ModernTransport, UnauthorizedError as ModernUnauthorized } from '@modelcontextprotocol/client';
import Provider from 'oidc-provider';
import { rememberSecret } from './helpers.js';
import { modernClient } from './modern.js';

export const SCOPE = { read: 'trtc:read', write: 'trtc:write', destructive: 'trtc:destructive', approve: 'trtc:approve' } as const;

export interface User {
  sub: string;
  name: string;
  email: string;
  groups: string[];
  /** The scopes the authorization server lets this user grant. */
  may: string[];
}

/** The people of the tests: a support agent who may only read, a moderator who may write, an admin who may do anything. */
export const USERS: Record<string, User> = {
  rita: { sub: 'rita', name: 'Rita Reader', email: 'rita@example.com', groups: ['support'], may: [SCOPE.read] },
  mo: { sub: 'mo', name: 'Mo Moderator', email: 'mo@example.com', groups: ['moderators'], may: [SCOPE.read, SCOPE.write] },
  ada: { sub: 'ada', name: 'Ada Admin', email: 'ada@example.com', groups: ['admins'], may: [SCOPE.read, SCOPE.write, SCOPE.destructive, SCOPE.approve] },
  abe: { sub: 'abe', name: 'Abe Admin', email: 'abe@example.com', groups: ['admins'], may: [SCOPE.read, SCOPE.write, SCOPE.destructive, SCOPE.approve] },
  zed: { sub: 'zed', name: 'Zed Outsider', email: 'zed@example.com', groups: ['contractors'], may: [SCOPE.read, SCOPE.write] },
};

export const CLIENT_ID = 'trtc-agent';
export const REDIRECT_URI = 'http://127.0.0.1/callback';

export interface AuthServer {
  issuer: string;
  /** Times the JSON Web Key Set was fetched. */
  jwksFetches(): number;
  /** Signs claims with the server's own key, as it signs access tokens (for tokens it would not issue now: expired ones). */
  sign(claims: JWTPayload, header?: { typ?: string }): Promise<string>;
  /** The server's public signing key, as published. */
  publicJwk: JWK;
  /** A person at a browser: follows an authorization URL through login and consent, and returns the redirect's parameters. */
  browse(user: string, authorizationUrl: URL): Promise<URLSearchParams>;
  /** The whole code flow with PKCE by hand (for raw HTTP tests): an access token for this user, scope and resource. */
  token(user: string, scope: string, resource: string): Promise<string>;
  close(): Promise<void>;
}

export async function startAuthServer(): Promise<AuthServer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `key-${randomBytes(4).toString('hex')}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  let fetches = 0;

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cookieKeys = [randomBytes(24).toString('base64url')];
  rememberSecret(...cookieKeys);

  const provider = new Provider(issuer, {
    jwks: { keys: [privateJwk as never] },
    cookies: { keys: cookieKeys },
    clients: [
      { client_id: CLIENT_ID, token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'ES256', application_type: 'native', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'] },
    ],
    pkce: { required: () => true },
    scopes: ['openid'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: Object.values(SCOPE).join(' '),
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    // What a directory adds to an access token: the person's name, email and groups.
    extraTokenClaims: async (_ctx: unknown, token: { accountId?: string }) => {
      const user = token.accountId ? USERS[token.accountId] : undefined;
      return user && { name: user.name, email: user.email, groups: user.groups };
    },
    findAccount: async (_ctx: unknown, id: string) => (USERS[id] ? { accountId: id, claims: async () => ({ sub: id, name: USERS[id]!.name, email: USERS[id]!.email }) } : undefined),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, Interaction: 600, Session: 600 },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'text/plain';
      ctx.body = `error: ${out.error}: ${out.error_description ?? ''}`;
    },
  } as never);
  provider.on('server_error', (_ctx: unknown, err: Error) => process.stderr.write(`authorization server error: ${err.stack}\n`));
  const callback = provider.callback();

  // The login page asks who you are; the consent page shows what the client asks for, and grants what the user may.
  const interaction = async (req: http.IncomingMessage, res: http.ServerResponse, uid: string, step: string | undefined) => {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      const form = details.prompt.name === 'login'
        ? `<form method="post" action="/interaction/${uid}/login"><label>User <input name="login"></label><button>Sign in</button></form>`
        : `<form method="post" action="/interaction/${uid}/confirm"><p>${CLIENT_ID} asks for ${JSON.stringify(details.prompt.details)}</p><button>Allow</button></form>`;
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<!doctype html><title>${details.prompt.name}</title>${form}`);
    }
    const body = new URLSearchParams(await new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c));
      req.on('end', () => resolve(text));
    }));
    if (step === 'login') {
      const login = body.get('login') ?? '';
      if (!USERS[login]) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        return res.end('unknown user');
      }
      return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    }
    const accountId = details.session!.accountId;
    const may = USERS[accountId]!.may;
    const grant = details.grantId ? (await provider.Grant.find(details.grantId))! : new provider.Grant({ accountId, clientId: details.params.client_id as string });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      // The user grants what their role allows; the rest is refused, and the token will not carry it.
      const allowed = scopes.filter((s) => may.includes(s));
      if (allowed.length) grant.addResourceScope(resource, allowed.join(' '));
      const refused = scopes.filter((s) => !may.includes(s));
      if (refused.length) grant.rejectResourceScope(resource, refused.join(' '));
    }
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  };

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/jwks') fetches++;
    const m = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(url.pathname);
    if (m) {
      interaction(req, res, m[1]!, m[2]).catch((err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${err.message}`);
      });
      return;
    }
    callback(req, res);
  });

  const browse = async (user: string, authorizationUrl: URL): Promise<URLSearchParams> => {
    const jar = new Map<string, string>();
    let next = authorizationUrl;
    let init: RequestInit = {};
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(next, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      init = {};
      if (res.status >= 300 && res.status < 400) {
        next = new URL(res.headers.get('location')!, next);
        if (`${next.origin}${next.pathname}` === REDIRECT_URI) return next.searchParams;
        continue;
      }
      const page = await res.text();
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
      if (res.status !== 200 || !action) throw new Error(`the authorization server showed no form (${res.status}): ${page.slice(0, 300)}`);
      next = new URL(action, next);
      const fields: Record<string, string> = action.endsWith('/login') ? { login: user } : {};
      init = { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    }
    throw new Error('too many redirects at the authorization server');
  };

  const token = async (user: string, scope: string, resource: string): Promise<string> => {
    const { createHash } = await import('node:crypto');
    const verifier = randomBytes(32).toString('base64url');
    const auth = new URL(`${issuer}/auth`);
    const params = {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope, resource, state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
    const back = await browse(user, auth);
    const code = back.get('code');
    if (!code) throw new Error(`no code: ${back}`);
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: verifier, resource }).toString(),
    });
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
    rememberSecret(body.access_token);
    return body.access_token;
  };

  return {
    issuer,
    jwksFetches: () => fetches,
    publicJwk,
    sign: async (claims, header = {}) => {
      const t = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: header.typ ?? 'at+jwt' }).sign(privateKey);
      rememberSecret(t);
      return t;
    },
    browse,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The MCP SDK's OAuthClientProvider for a pre-registered public client, whose "browser" is a test user at the
 * authorization server. The SDK discovers, starts the flow and exchanges the code itself; this only keeps what it
 * is given and plays the person who signs in and allows.
 */
export class TestOAuthClient implements OAuthClientProvider {
  private saved?: OAuthTokens;
  private verifier?: string;
  private info: OAuthClientInformationMixed = { client_id: CLIENT_ID };
  /** The redirect's parameters after the user allowed (code, state, iss); the test finishes the flow with them. */
  callback?: URLSearchParams;
  /** Authorization URLs the SDK opened, in order. */
  readonly opened: URL[] = [];

  constructor(private readonly as: AuthServer, private readonly user: string) {}

  get redirectUrl() {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'trtc-mcp tests', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    rememberSecret(tokens.access_token, tokens.refresh_token);
    this.saved = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.opened.push(url);
    this.callback = await this.as.browse(this.user, url);
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
  /** The scopes of the access token the client holds now. */
  scopes(): string[] {
    return this.saved?.scope?.split(' ') ?? [];
  }
}

/** A free port on loopback, for a server whose canonical URI must be known before it starts. */
export async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The parameters of a WWW-Authenticate challenge (RFC 6750), by name. */
export function challengeOf(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  if (!/^Bearer\b/.test(header)) return {};
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** A JWT signed with no algorithm at all (alg: none): what a forger sends when a server forgets to insist on a signature. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const t = `${part({ alg: 'none', typ: 'at+jwt' })}.${part(claims)}.`;
  rememberSecret(t);
  return t;
}

/** The operator's policy of the tests: support reads room 1234 (rooms, AI bots, quality, usage, events); moderators work in 1234 and helpdesk; admins everywhere; nobody else. */
export const POLICY = {
  identities: [
    { name: 'support', match: { groups: 'support' }, toolsets: ['room', 'ai', 'quality', 'usage', 'events'], rooms: ['1234'] },
    { name: 'moderators', match: { groups: ['moderators'] }, rooms: ['1234', 'helpdesk'] },
    { name: 'admins', match: { groups: 'admins' } },
  ],
};

/** Writes the policy file and returns its path, beside an audit log path, in a fresh directory. */
export function oauthFiles(policy: unknown = POLICY): { policy: string; audit: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trtc-oauth-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
  return { policy: join(dir, 'policy.json'), audit: join(dir, 'audit.jsonl') };
}

/** The settings of a server that accepts this authorization server's tokens for `resource`, under the policy file. */
export const oauthArgs = (as: AuthServer, resource: string, policyPath: string) => ['--auth', 'oauth', '--oauth-issuer', as.issuer, '--oauth-resource', resource, '--oauth-policy', policyPath];

/**
 * Connects the v2 SDK client pinned to 2026-07-28 as this user, through its own OAuth flow (401, discovery, code +
 * PKCE). `retrying` runs a call again once after the user re-authorized for a step-up, as an app would.
 */
export async function modernAs(as: AuthServer, url: string, user: string) {
  const provider = new TestOAuthClient(as, user);
  const open = () => new ModernTransport(new URL(`${url}/mcp`), { authProvider: provider as never });
  let client = modernClient();
  let transport = open();
  try {
    await client.connect(transport);
  } catch (err) {
    if (!(err instanceof ModernUnauthorized)) throw err;
    await transport.finishAuth(provider.callback!);
    client = modernClient();
    transport = open();
    await client.connect(transport);
  }
  const retrying = <T>(call: () => Promise<T>) =>
    call().catch(async (err) => {
      if (!(err instanceof ModernUnauthorized)) throw err;
      await transport.finishAuth(provider.callback!);
      return call();
    });
  return { client, provider, transport, retrying };
}
