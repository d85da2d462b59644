// Who asked. Every call carries an identity from the edge that admitted it: the operator for stdio and for the
// shared bearer token, or a person or agent named by an OAuth access token. Scope, consent, audit and rate limits
// read it here; only the HTTP edge reads credentials to make one.

export interface Identity {
  /** Stable and unique per caller: "operator" for stdio and the shared token, the token's `sub` under OAuth. */
  subject: string;
  /** How the caller was admitted. */
  via: 'local' | 'token' | 'oauth';
  /** Shown to humans beside the subject, when the token says it. */
  name?: string;
  email?: string;
  /** Granted scopes under OAuth; absent means every power the server's own settings allow. */
  scopes?: ReadonlySet<string>;
  /** The entry of the operator's policy file that applies to this identity (see policy.ts). */
  policy?: string;
}

/** The one who started the process or holds the shared token: the server's own settings are their permissions. */
export const OPERATOR: Identity = Object.freeze({ subject: 'operator', via: 'local' });

/** Whoever holds the shared bearer token: the operator, admitted by the token. */
export const TOKEN_HOLDER: Identity = Object.freeze({ subject: 'operator', via: 'token' });

/** The identity as audit records and logs carry it: no credential, only who. */
export function whoRecord(id: Identity): { subject: string; via: Identity['via']; name?: string; email?: string } {
  return { subject: id.subject, via: id.via, ...(id.name ? { name: id.name } : {}), ...(id.email ? { email: id.email } : {}) };
}

/** The identity as a human reads it in a consent question: name or email beside the subject, when the token says them. */
export function whoText(id: Identity): string {
  const shown = [id.name, id.email && `<${id.email}>`].filter(Boolean).join(' ');
  return shown ? `${shown} (${id.subject})` : id.subject;
}
