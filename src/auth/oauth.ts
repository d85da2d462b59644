// Access tokens of an OAuth 2.1 authorization server, checked as a resource server must: a JWT signed by one of the
// issuer's published keys (fetched, cached, fetched again for an unknown key id at a bounded rate) with an
// asymmetric algorithm from an allow-list, issued by that issuer, for this resource (RFC 8707 audience), and within
// its lifetime give or take a small skew. All the JOSE work is the `jose` library's. A token is never logged, echoed
// or sent anywhere: errors say what was wrong with it, never what it was.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../log.js';

export interface VerifierOptions {
  issuer: string;
  /** The canonical URI of this server: a token's aud must name it. */
  resource: string;
  /** Where the keys are; by default the jwks_uri of the issuer's metadata. */
  jwksUri?: string;
  algorithms: readonly string[];
  clockSkewSeconds: number;
  log: Logger;
  /** How long a request to the authorization server may take. */
  timeoutMs?: number;
}

/** A token this server does not accept; the message says why in words fit for a WWW-Authenticate error_description. */
export class TokenRefused extends Error {}

/** The authorization server (its metadata or keys) cannot be reached: the token can be judged neither way. */
export class AuthServerUnavailable extends Error {}

/** Tokens longer than this are refused unread: real access tokens are a few kilobytes at most. */
const MAX_TOKEN_CHARS = 16_384;
/** An unknown key id fetches the key set again at most this often: a flood of forged key ids costs one fetch. */
const JWKS_COOLDOWN_MS = 30_000;
/** Keys are fetched again after this long even when every token finds its key. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
/** After the issuer's metadata could not be read, the next request tries again after this long. */
const RETRY_DISCOVERY_MS = 5_000;
/**
 * A token once verified is taken on trust for this long (never past its expiry): a client sends the same token with
 * every request, and a signature check costs a hundred times a lookup. A key withdrawn from the set stops being
 * trusted within this time.
 */
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 10_000;

/** Token types of a header that may be an access token: RFC 9068's, the generic JWT, or none said. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt']);

export class TokenVerifier {
  private keys?: Promise<JWTVerifyGetKey>;
  private readonly audiences: string[];
  /** Tokens verified lately, with their claims and until when they are trusted (ms). */
  private readonly verified = new Map<string, { claims: JWTPayload & { sub: string }; until: number }>();

  constructor(private readonly opts: VerifierOptions) {
    // The canonical URI with or without its trailing slash names the same resource.
    const bare = opts.resource.replace(/\/$/, '');
    this.audiences = [...new Set([opts.resource, bare, `${bare}/`])];
  }

  /** Fetches the issuer's metadata and keys ahead of the first request; a failure is only logged (the first request tries again). */
  warm(): void {
    void this.keySet().catch((err: Error) => this.opts.log.warn('authorization server not reachable yet', { issuer: this.opts.issuer, error: err.message }));
  }

  /** The claims of a token this server accepts; TokenRefused or AuthServerUnavailable otherwise. */
  async verify(token: string): Promise<JWTPayload & { sub: string }> {
    if (token.length > MAX_TOKEN_CHARS) throw new TokenRefused('the access token is too long to be one');
    const known = this.verified.get(token);
    if (known && Date.now() < known.until) return known.claims;
    if (known) this.verified.delete(token);
    const claims = await this.check(token);
    // Trusted until it expires (the skew counted, as when it was checked), and for no longer than the cache's time.
    const until = Math.min(Date.now() + VERIFIED_TTL_MS, ((claims.exp ?? 0) + this.opts.clockSkewSeconds) * 1000);
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { claims, until });
    return claims;
  }

  private async check(token: string): Promise<JWTPayload & { sub: string }> {
    const keys = await this.keySet();
    try {
      const { payload, protectedHeader } = await jwtVerify(token, keys, {
        issuer: this.opts.issuer,
        audience: this.audiences,
        algorithms: [...this.opts.algorithms],
        clockTolerance: this.opts.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      if (protectedHeader.typ !== undefined && !ACCESS_TOKEN_TYPES.has(protectedHeader.typ.toLowerCase())) {
        throw new TokenRefused(`the token is a ${protectedHeader.typ}, not an access token`);
      }
      if (typeof payload.sub !== 'string' || !payload.sub) throw new TokenRefused('the access token names no subject');
      return payload as JWTPayload & { sub: string };
    } catch (err) {
      throw refusal(err);
    }
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const { jwksUri, issuer, timeoutMs = 5_000 } = this.opts;
      this.keys = (jwksUri ? Promise.resolve(jwksUri) : discoverJwksUri(issuer, timeoutMs)).then(
        (uri) => createRemoteJWKSet(new URL(uri), { timeoutDuration: timeoutMs, cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS }),
      );
      this.keys.catch(() => setTimeout(() => (this.keys = undefined), RETRY_DISCOVERY_MS).unref());
    }
    return this.keys;
  }
}

/** What was wrong with a token, in words; a failure to reach the key set is the authorization server's, not the token's. */
function refusal(err: unknown): Error {
  if (err instanceof TokenRefused || err instanceof AuthServerUnavailable) return err;
  if (err instanceof errors.JWTExpired) return new TokenRefused('the access token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const why: Record<string, string> = {
      aud: 'the access token was not issued for this resource (its audience names another)',
      iss: 'the access token was not issued by the authorization server this server trusts',
      nbf: 'the access token is not valid yet',
      sub: 'the access token names no subject',
      exp: 'the access token has no expiry',
    };
    return new TokenRefused(why[err.claim] ?? `the access token's ${err.claim} claim is not acceptable`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return new TokenRefused('the access token is signed with an algorithm this server does not accept');
  if (err instanceof errors.JWKSNoMatchingKey) return new TokenRefused('the access token is signed with a key the authorization server does not publish');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenRefused('the access token\'s signature does not verify');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || (err instanceof Error && !(err instanceof errors.JOSEError))) {
    return new AuthServerUnavailable(`the authorization server's keys could not be read (${(err as Error).message})`);
  }
  return new TokenRefused('the access token is not a valid JWT');
}

/**
 * The issuer's jwks_uri, from its OAuth 2.0 Authorization Server Metadata (RFC 8414, the well-known path inserted
 * before the issuer's path) or else its OpenID Connect discovery document. The metadata must name the same issuer.
 */
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const candidates = [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
  const problems: string[] = [];
  for (const candidate of candidates) {
    let metadata: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(candidate, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) {
        problems.push(`${candidate}: HTTP ${res.status}`);
        continue;
      }
      metadata = (await res.json()) as typeof metadata;
    } catch (err) {
      problems.push(`${candidate}: ${(err as Error).message}`);
      continue;
    }
    // A document naming another issuer is not this issuer's (a mix-up): never take keys from it.
    if (metadata.issuer !== issuer) throw new AuthServerUnavailable(`${candidate} names the issuer ${JSON.stringify(metadata.issuer)}, not ${issuer}`);
    if (typeof metadata.jwks_uri !== 'string') throw new AuthServerUnavailable(`${candidate} has no jwks_uri; set --oauth-jwks-uri`);
    return metadata.jwks_uri;
  }
  throw new AuthServerUnavailable(`the issuer's metadata could not be read (${problems.join('; ')})`);
}
