// Puts the approval page where approvers can reach it, on a port of its own (--approvals-listen) or at /approvals on
// the MCP HTTP port, and the webhook notifier behind each new approval. The links in answers and notifications point
// at --approvals-url when set (a proxy or load balancer in front), else where the page is served.
import type http from 'node:http';
import { isLoopback, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { decodeJwt } from 'jose';
import type { Authenticator } from '../auth/edge.js';
import { SCOPES } from '../guardrails/access.js';
import type { ServerContext } from '../server/pipeline.js';
import { browserChecks, hostAndOrigin } from './admission.js';
import { listening } from './listen.js';
import { APPROVALS_PATH, approverTokenAuthenticator, createApprovalPage, listenForApprovals, type ApproverAuthenticator } from './approval-page.js';

export interface ApprovalSetup {
  /** For the MCP HTTP port to serve (at APPROVALS_PATH); absent when the page has a port of its own. */
  pages?: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>>;
  /** Host and Origin values the page is reached by besides the listener's own (those of --approvals-url). */
  names: { hosts: string[]; origins: string[] };
  /** Tells the setup where the MCP HTTP port serves the page. */
  servedAt(baseUrl: string): void;
  close(): Promise<void>;
}

/**
 * Approvers with OAuth access tokens: whoever the edge admits with trtc:approve (and its policy), as the token names
 * them, until the token expires.
 */
function oauthApprovers(auth: Authenticator): ApproverAuthenticator {
  return {
    identify: async (credential) => {
      const presented = { headers: { authorization: `Bearer ${credential}` } } as unknown as http.IncomingMessage;
      const { identity } = await auth.authenticate(presented, SCOPES.approve);
      // Verified just now by the edge; its expiry is read, not trusted on its own.
      return identity && { identity, until: decodeJwt(credential).exp! * 1000 };
    },
  };
}

function publicNames(config: Pick<Config, 'approvalsUrl' | 'allowedHosts' | 'allowedOrigins'>): { hosts: string[]; origins: string[] } {
  const url = config.approvalsUrl ? new URL(config.approvalsUrl) : undefined;
  return { hosts: [...config.allowedHosts, ...(url ? [url.host] : [])], origins: [...config.allowedOrigins, ...(url ? [url.origin] : [])] };
}

/**
 * @param auth the HTTP edge's authenticator: under OAuth, an access token carrying trtc:approve signs its holder in,
 *   as the identity the token names
 */
export async function setUpApprovals(ctx: ServerContext, config: Config, log: Logger, auth?: Authenticator): Promise<ApprovalSetup> {
  const approvals = ctx.approvals!;
  const authenticators: ApproverAuthenticator[] = [
    ...(config.approverToken !== undefined ? [approverTokenAuthenticator(config.approverToken)] : []),
    ...(auth?.mode === 'oauth' ? [oauthApprovers(auth)] : []),
  ];
  const credential = [config.approverToken !== undefined && 'Approver token', auth?.mode === 'oauth' && `access token with ${SCOPES.approve}`].filter(Boolean).join(', or an ');
  const page = createApprovalPage({
    approvals, store: ctx.store, audit: ctx.audit, log, authenticators, credential: credential.charAt(0).toUpperCase() + credential.slice(1), secureCookies: config.approvalsUrl?.startsWith('https:'),
  });
  const served = (baseUrl: string) => {
    approvals.pageUrl = (config.approvalsUrl ?? `${baseUrl}${APPROVALS_PATH}`).replace(/\/$/, '');
    log.info('approvals decided at', { url: approvals.pageUrl });
  };

  let closeNotifier = async () => {};
  if (config.approvalWebhookUrl) {
    const { approvalNotifier } = await import('./approval-webhook.js');
    const notifier = approvalNotifier({ url: config.approvalWebhookUrl, secret: config.approvalWebhookSecret!, approvals, log });
    approvals.onCreated = notifier.notify;
    closeNotifier = notifier.close;
  }

  const names = publicNames(config);
  if (config.approvalsListen) {
    const at = config.approvalsListen.lastIndexOf(':');
    const host = config.approvalsListen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    if (!isLoopback(host) && !config.approvalsUrl?.startsWith('https:')) {
      log.warn('the approval page is served beyond loopback over plain HTTP: approvers\' tokens and sessions cross the network unencrypted; put it behind https and set --approvals-url https://...');
    }
    const port = Number(config.approvalsListen.slice(at + 1));
    const listener = await listening(listenForApprovals(host, port, page, log, (bound) => hostAndOrigin(browserChecks(host, bound, names.hosts, names.origins))), host, port, '--approvals-listen');
    served(listener.url);
    return { names: { hosts: config.allowedHosts, origins: config.allowedOrigins }, servedAt: () => undefined, close: async () => (await closeNotifier(), await listener.close()) };
  }
  return { pages: { [APPROVALS_PATH]: page.handle }, names, servedAt: served, close: closeNotifier };
}
