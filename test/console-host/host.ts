/// <reference lib="dom" />
// A test host page for MCP Apps views, built on the extension SDK's host side (AppBridge): it loads a view's HTML
// into a sandbox proxy on another origin, as the extension's specification has web hosts do, tells it what the
// model's tool call was, and passes the view's requests to the MCP client (in the test process, through
// window.mcp, where the host's rules are applied).
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { McpUiHostContext, McpUiResourceCsp } from '@modelcontextprotocol/ext-apps';

export interface StartOptions {
  html: string;
  csp: McpUiResourceCsp | undefined;
  proxyUrl: string;
  toolInput: Record<string, unknown>;
  toolResult: Record<string, unknown>;
  hostContext: McpUiHostContext;
  width: number;
}

declare global {
  interface Window {
    /** The host's MCP client, in the test process. */
    mcp(method: 'tools/call' | 'resources/read', params: unknown): Promise<any>;
    startView(options: StartOptions): Promise<void>;
    setHostContext(context: McpUiHostContext): Promise<void>;
  }
}

let bridge: AppBridge | undefined;

window.startView = async (o) => {
  const frame = document.createElement('iframe');
  frame.id = 'view';
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
  frame.style.cssText = `width:${o.width}px;height:200px;border:1px solid #999;display:block`;
  document.body.append(frame);
  const proxyReady = new Promise<void>((resolve) => {
    const listen = (e: MessageEvent) => {
      if (e.source === frame.contentWindow && e.data?.method === 'ui/notifications/sandbox-proxy-ready') {
        window.removeEventListener('message', listen);
        resolve();
      }
    };
    window.addEventListener('message', listen);
  });
  const url = new URL(o.proxyUrl);
  url.searchParams.set('csp', JSON.stringify(o.csp ?? {}));
  frame.src = url.href;
  await proxyReady;

  bridge = new AppBridge(null, { name: 'trtc-mcp test host', version: '1' }, { serverTools: {}, serverResources: {}, logging: {} }, { hostContext: o.hostContext });
  bridge.oncalltool = (params) => window.mcp('tools/call', params);
  bridge.onreadresource = (params) => window.mcp('resources/read', params);
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) frame.style.height = `${height + 2}px`;
  };
  const initialized = new Promise<void>((resolve) => {
    bridge!.oninitialized = () => resolve();
  });
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  await bridge.sendSandboxResourceReady({ html: o.html, csp: o.csp });
  await initialized;
  await bridge.sendToolInput({ arguments: o.toolInput });
  await bridge.sendToolResult(o.toolResult as never);
};

window.setHostContext = async (context) => {
  await bridge!.sendHostContextChange(context);
};
