// Puts the callback receiver where TRTC can reach it: on a port of its own (--callbacks-listen, or a loopback port
// the in-process sandbox sends to when MCP runs over stdio), or at /callbacks on the MCP HTTP port.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { addSecret } from '../redact.js';
import type { ServerContext } from '../server/pipeline.js';
import { listening } from '../transports/listen.js';

export interface CallbackSetup {
  /** For the MCP HTTP port to serve at CALLBACK_PATH; absent when callbacks have a port of their own, or none. */
  route?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /** Tells the setup where the MCP HTTP port serves the route. */
  servedAt(baseUrl: string): void;
  close(): Promise<void>;
}

export async function setUpCallbacks(ctx: ServerContext, config: Config, log: Logger): Promise<CallbackSetup> {
  const none: CallbackSetup = { servedAt: () => undefined, close: async () => undefined };
  // The in-process sandbox signs its callbacks with a key of this run when the operator set none.
  let key = config.callbackKey;
  if (!key && ctx.sandbox) addSecret((key = randomBytes(24).toString('base64url').replace(/[-_]/g, '0')));
  if (!key) {
    if (config.callbacksListen) throw new ConfigError('--callbacks-listen receives TRTC callbacks, which must be signed: set TRTC_CALLBACK_KEY to the callback key of the TRTC console.');
    return none;
  }
  // Loaded only when callbacks can arrive: the receiver brings the event log and the catalog's meanings with it.
  const { CALLBACK_PATH, createCallbackReceiver, listenForCallbacks } = await import('./receiver.js');
  const receiver = createCallbackReceiver({ key, store: ctx.store, config, log, onStored: (app, seq, event) => ctx.events?.stored(app, { event, seq }) });
  const receiving = (url: string) => {
    if (ctx.events) ctx.events.receiving = url;
    ctx.sandbox?.sendCallbacksTo?.(url, key);
  };

  const listen = config.callbacksListen ?? (config.transport === 'stdio' && ctx.sandbox ? '127.0.0.1:0' : undefined);
  if (listen) {
    const at = listen.lastIndexOf(':');
    const [host, port] = [listen.slice(0, at).replace(/^\[(.*)\]$/, '$1'), Number(listen.slice(at + 1))];
    const listener = await listening(listenForCallbacks(host, port, receiver, log), host, port, '--callbacks-listen');
    receiving(listener.url);
    return { servedAt: () => undefined, close: listener.close };
  }
  return {
    route: receiver.handle,
    servedAt: (baseUrl) => {
      const url = `${baseUrl}${CALLBACK_PATH}`;
      log.info('receiving TRTC callbacks', { url });
      receiving(url);
    },
    close: async () => undefined,
  };
}
