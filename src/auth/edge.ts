// Who sent an HTTP request: the one function every authenticated path asks first. It turns a request into an
// Identity, or into the challenge to answer it with, as the MCP authorization specification says (RFC 6750 and
// RFC 9728): 401 with where to find this resource's metadata when the token is missing or invalid, 403 with
// error="insufficient_scope" and the scope needed when a valid token is too weak. Three modes: none (loopback only,
// everyone is the operator), token (one shared bearer token, whose holder is the operator), oauth (access tokens of
// an authorization server, each naming a person or agent). Only this module reads credentials.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthMode, Config } from '../config.js';
import type { Logger } from '../log.js';
import { hasScope, SCOPES, type Scope } from '../guardrails/access.js';
import { OPERATOR, TOKEN_HOLDER, type Identity } from '../guardrails/identity.js';
import type { Policy } from '../guardrails/policy.js';
import { AuthServerUnavailable, TokenRefused, TokenVerifier } from './oauth.js';

/** An HTTP answer that refuses a request, with the header that tells the client what to do. */
export interface Challenge {
  status: 401 | 403 | 503;
  /** The WWW-Authenticate header, when the status calls for one. */
  wwwAuthenticate?: string;
  message: string;
}

export type Admission = { identity: Identity; challenge?: undefined } | { challenge: Challenge; identity?: undefined };

export interface Authenticator {
  mode: AuthMode;
  /**
   * Who sent the request, or the challenge to answer it with. `needs` is a scope the path requires (trtc:approve
   * for approvals); under OAuth a valid token without it gets a step-up challenge.
   */
  authenticate(req: IncomingMessage, needs?: Scope): Promise<Admission>;
  /** The step-up challenge for an identity whose token lacks `scope` for what it asked (undefined when it has it). */
  require(identity: Identity, scope: Scope, why: string): Challenge | undefined;
  /** RFC 9728 metadata of this resource and the paths it is served at (OAuth only). */
  metadata?: { paths: ReadonlySet<string>; document: Record<string, unknown> };
}

export interface AuthenticatorOptions {
  config: Pick<Config, 'auth' | 'authToken' | 'oauthIssuer' | 'oauthResource' | 'oauthJwksUri' | 'oauthAlgorithms' | 'oauthClockSkew'>;
  policy?: Policy;
  log: Logger;
}

export function createAuthenticator({ config, policy, log }: AuthenticatorOptions): Authenticator {
  if (config.auth === 'oauth') return oauthAuthenticator(config, policy, log);
  const open: Authenticator = { mode: 'none', authenticate: async () => ({ identity: OPERATOR }), require: () => undefined };
  if (config.auth !== 'token' || !config.authToken) return open;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  const expected = digest(`Bearer ${config.authToken}`);
  return {
    mode: 'token',
    // Compared in constant time, as digests so that the lengths match.
    authenticate: async (req) =>
      timingSafeEqual(digest(header(req, 'authorization') ?? ''), expected)
        ? { identity: TOKEN_HOLDER }
        : { challenge: { status: 401, wwwAuthenticate: 'Bearer', message: 'Missing or wrong bearer token.' } },
    require: () => undefined,
  };
}

function oauthAuthenticator(config: AuthenticatorOptions['config'], policy: Policy | undefined, log: Logger): Authenticator {
  const issuer = config.oauthIssuer!;
  const resource = config.oauthResource!;
  const verifier = new TokenVerifier({ issuer, resource, jwksUri: config.oauthJwksUri, algorithms: config.oauthAlgorithms, clockSkewSeconds: config.oauthClockSkew, log });
  verifier.warm();
  const metadataUrl = protectedResourceMetadataUrl(resource);
  const challenge = (status: 401 | 403, message: string, params: Record<string, string>): Challenge => ({
    status,
    message,
    wwwAuthenticate: `Bearer ${Object.entries({ ...params, resource_metadata: metadataUrl }).map(([k, v]) => `${k}="${quoted(v)}"`).join(', ')}`,
  });
  const require = (identity: Identity, scope: Scope, why: string) =>
    hasScope(identity, scope)
      ? undefined
      : challenge(403, `Insufficient scope: ${why} needs ${scope}. Authorize again with it.`, { error: 'insufficient_scope', scope, error_description: `${why} needs ${scope}` });

  return {
    mode: 'oauth',
    async authenticate(req, needs) {
      const token = bearerToken(req);
      // Without a token, the least a client needs to start: reading. More is asked for when a call needs it.
      if (token === undefined) return { challenge: challenge(401, 'An access token is required (Authorization: Bearer).', { scope: SCOPES.read }) };
      let claims;
      try {
        claims = await verifier.verify(token);
      } catch (err) {
        if (err instanceof AuthServerUnavailable) {
          log.error('authorization server unavailable', { issuer, error: err.message });
          return { challenge: { status: 503, message: 'The authorization server cannot be reached to check the access token; retry later.' } };
        }
        const why = err instanceof TokenRefused ? err.message : 'the access token is not valid';
        log.warn('access token refused', { reason: why });
        return { challenge: challenge(401, `Invalid access token: ${why}.`, { error: 'invalid_token', error_description: why, scope: SCOPES.read }) };
      }
      const identity: Identity = {
        subject: claims.sub,
        via: 'oauth',
        ...(text(claims.name ?? claims.preferred_username) && { name: text(claims.name ?? claims.preferred_username) }),
        ...(text(claims.email) && { email: text(claims.email) }),
        scopes: scopesOf(claims),
      };
      if (policy) {
        const entry = policy.match(claims);
        // No entry says what this identity may do, so it may do nothing; another scope would not change that.
        if (entry === undefined) {
          log.warn('identity refused by the access policy', { by: identity.subject });
          return { challenge: { status: 403, message: 'Forbidden: no entry of this server\'s access policy matches your identity. Ask the operator.' } };
        }
        identity.policy = entry;
      }
      const weak = needs && require(identity, needs, 'this path');
      return weak ? { challenge: weak } : { identity };
    },
    require,
    metadata: {
      paths: new Set(['', new URL(resource).pathname.replace(/\/$/, ''), '/mcp', '/sse'].map((p) => `${WELL_KNOWN}${p}`)),
      document: {
        resource,
        authorization_servers: [issuer],
        scopes_supported: Object.values(SCOPES),
        bearer_methods_supported: ['header'],
        resource_name: 'trtc-mcp',
      },
    },
  };
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 9728: the metadata URL of a resource is its origin, the well-known path, then the resource's own path. */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}${WELL_KNOWN}${url.pathname.replace(/\/$/, '')}`;
}

/** The bearer token of the Authorization header (RFC 6750: the header only, never the query string). */
function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header(req, 'authorization') ?? '');
  return m?.[1];
}

/** Granted scopes: RFC 9068's space-separated `scope`, or the `scp` some servers send (a list or a string). */
function scopesOf(claims: Record<string, unknown>): Set<string> {
  const raw = claims.scope ?? claims.scp;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  return new Set(list.filter((s): s is string => typeof s === 'string' && s.length > 0));
}

const text = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);
/** A quoted-string of an HTTP header: no quote, backslash or control character survives. */
const quoted = (v: string) => v.replace(/[\\"\u0000-\u001f\u007f]/g, ' ');

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
