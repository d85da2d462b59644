// A web host for MCP Apps views in headless Chromium (Debian's chromium, driven by playwright-core): the host page
// (host.ts, on the extension SDK's host side) on one loopback origin, the sandbox proxy on another, and the MCP
// client in this process. The host applies the extension's rules to the view's calls: a tool the server lists
// without "app" in its visibility is refused to the view; anything else goes to the server, which answers.
import { build } from 'esbuild';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { chromium, type Browser, type Frame, type FrameLocator, type Page } from 'playwright-core';
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';

export const CHROMIUM = '/usr/bin/chromium';
/** The brief flags for a headless Chromium with nothing of its own on the network (playwright adds --headless and a fresh profile). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The restrictive policy the specification prescribes, with the domains a resource declared (none, here). */
function cspHeader(csp: { connectDomains?: string[]; resourceDomains?: string[]; frameDomains?: string[]; baseUriDomains?: string[] }): string {
  const list = (xs: string[] | undefined) => (xs ?? []).filter((d) => !/[;\r\n'" ]/.test(d)).join(' ');
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${list(csp.resourceDomains)}`.trim(),
    `style-src 'self' 'unsafe-inline' ${list(csp.resourceDomains)}`.trim(),
    `img-src 'self' data: ${list(csp.resourceDomains)}`.trim(),
    `font-src 'self' ${list(csp.resourceDomains)}`.trim(),
    `media-src 'self' data: ${list(csp.resourceDomains)}`.trim(),
    `connect-src ${list(csp.connectDomains) || "'none'"}`,
    `frame-src ${list(csp.frameDomains) || "'none'"}`,
    "object-src 'none'",
    `base-uri ${list(csp.baseUriDomains) || "'self'"}`,
  ].join('; ');
}

/** The sandbox proxy: loads the view into an inner frame of its own origin and relays messages both ways. */
const PROXY = (hostOrigin: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0"><script>
const host = ${JSON.stringify(hostOrigin)};
const inner = document.createElement('iframe');
inner.setAttribute('sandbox', 'allow-scripts allow-same-origin');
inner.style.cssText = 'width:100%;height:100vh;border:0;display:block';
document.body.append(inner);
window.addEventListener('message', (e) => {
  if (e.source === window.parent) {
    if (e.origin !== host) return;
    if (e.data && e.data.method === 'ui/notifications/sandbox-resource-ready') {
      const doc = inner.contentDocument; doc.open(); doc.write(e.data.params.html); doc.close();
    } else inner.contentWindow.postMessage(e.data, '*');
  } else if (e.source === inner.contentWindow) window.parent.postMessage(e.data, host);
});
window.parent.postMessage({ jsonrpc: '2.0', method: 'ui/notifications/sandbox-proxy-ready', params: {} }, host);
</script></body></html>`;

let hostScript: Promise<string> | undefined;
const bundleHost = () =>
  (hostScript ??= build({
    entryPoints: [new URL('./host.ts', import.meta.url).pathname], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'warning', target: 'chrome111',
  }).then((r) => r.outputFiles[0]!.text));

function listen(handler: http.RequestListener): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

export interface HostedView {
  page: Page;
  /** The view's document, inside the sandbox proxy. */
  view: FrameLocator;
  viewFrame(): Frame;
  /** What the view asked the host to call, in order, and what came back (a thrown error as its message). */
  calls: Array<{ name: string; arguments: Record<string, unknown>; result?: CallToolResult; error?: string }>;
  /** Every console message of every frame (a CSP violation shows here), and every request the browser made. */
  messages: string[];
  requests: string[];
  /** The model's tool call the view was opened for. */
  toolResult: CallToolResult;
  setTheme(context: McpUiHostContext): Promise<void>;
}

/** The browser, the host's two origins, and views opened in pages of their own. */
export class AppsHost {
  private browser?: Browser;
  private servers: http.Server[] = [];
  private hostOrigin = '';
  private proxyOrigin = '';

  async start(): Promise<this> {
    const script = await bundleHost();
    const host = await listen((req, res) => {
      if (req.url === '/host.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><head><meta charset="utf-8"><title>test host</title></head><body style="margin:8px;background:#888"><script src="/host.js"></script></body></html>');
    });
    this.hostOrigin = host.origin;
    const proxy = await listen((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const csp = JSON.parse(url.searchParams.get('csp') ?? '{}');
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': cspHeader(csp) }).end(PROXY(this.hostOrigin));
    });
    this.proxyOrigin = proxy.origin;
    this.servers = [host.server, proxy.server];
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    return this;
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }

  /**
   * The model calls `tool` with `args` through `client`; the host renders the view the tool links to, in a page of
   * `width` pixels, and passes the view's calls to `client`.
   */
  async open(client: Client, tool: string, args: Record<string, unknown>, options: { width?: number; theme?: 'light' | 'dark' } = {}): Promise<HostedView> {
    const width = options.width ?? 960;
    const listed = new Map<string, Tool>((await client.listTools()).tools.map((t) => [t.name, t]));
    const uri = (listed.get(tool)?._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri;
    if (!uri) throw new Error(`${tool} links no view`);
    const toolResult = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    const resource = (await client.readResource({ uri })).contents[0] as { text: string; mimeType: string; _meta?: { ui?: { csp?: Record<string, string[]> } } };
    if (resource.mimeType !== 'text/html;profile=mcp-app') throw new Error(`not an MCP App: ${resource.mimeType}`);

    const page = await this.browser!.newPage({ viewport: { width: width + 40, height: 900 } });
    const hosted: HostedView = {
      page,
      view: page.frameLocator('#view').frameLocator('iframe'),
      viewFrame: () => page.frames().find((f) => f.parentFrame()?.parentFrame() === page.mainFrame())!,
      calls: [],
      messages: [],
      requests: [],
      toolResult,
      setTheme: (context) => page.evaluate((c) => window.setHostContext(c as McpUiHostContext), context as Record<string, unknown>),
    };
    page.on('console', (m) => hosted.messages.push(`${m.type()}: ${m.text()}`));
    page.on('request', (r) => hosted.requests.push(r.url()));
    await page.exposeFunction('mcp', async (method: string, params: { name: string; arguments?: Record<string, unknown> } & { uri: string }) => {
      if (method === 'resources/read') return client.readResource({ uri: params.uri });
      // The extension's rule for hosts: a view may not call a tool the server shows to the model only.
      const visibility = (listed.get(params.name)?._meta as { ui?: { visibility?: string[] } } | undefined)?.ui?.visibility;
      const call: HostedView['calls'][number] = { name: params.name, arguments: params.arguments ?? {} };
      hosted.calls.push(call);
      if (visibility && !visibility.includes('app')) throw new Error(`The host does not let the view call ${params.name}`);
      try {
        call.result = (await client.callTool({ name: params.name, arguments: params.arguments ?? {} })) as CallToolResult;
        return call.result;
      } catch (err) {
        call.error = (err as Error).message;
        throw err;
      }
    });
    await page.goto(`${this.hostOrigin}/`);
    const theme = options.theme ?? 'light';
    await page.evaluate((o) => window.startView(o), {
      html: resource.text, csp: resource._meta?.ui?.csp, proxyUrl: `${this.proxyOrigin}/sandbox.html`, toolInput: args, toolResult: toolResult as Record<string, unknown>,
      hostContext: { theme, displayMode: 'inline', availableDisplayModes: ['inline'], containerDimensions: { maxWidth: width }, platform: 'web' } satisfies McpUiHostContext,
      width,
    });
    return hosted;
  }

  /** Whether a URL is one of the host's own: the view may reach nothing else. */
  isOwn(url: string): boolean {
    return url.startsWith(`${this.hostOrigin}/`) || url.startsWith(`${this.proxyOrigin}/`) || url.startsWith('about:') || url.startsWith('data:');
  }
}
