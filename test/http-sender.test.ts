// The HTTP sender's verdicts: whether a failed request may have reached the service decides what may be retried.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../src/api/errors.js';
import { HttpSender, IDLE_CONNECTION_MS } from '../src/api/http.js';

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});
async function serve(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}
const post = (url: string) => ({ method: 'POST' as const, url, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as TransportError);

describe('HttpSender', () => {
  it('sends the body with its length and returns status and text', async () => {
    let seen = '';
    const url = await serve((req, res) => {
      req.on('data', (c) => (seen += c));
      req.on('end', () => res.end(`len=${req.headers['content-length']}`));
    });
    expect(await new HttpSender(1000).send(post(url))).toEqual({ status: 200, body: 'len=7' });
    expect(seen).toBe('{"a":1}');
  });

  it('says a refused connection was never sent', async () => {
    const url = await serve(() => undefined);
    servers[0]!.close();
    await new Promise((r) => setTimeout(r, 50));
    const err = await failure(new HttpSender(1000).send(post(url)));
    expect(err).toMatchObject({ kind: 'network', sent: 'no' });
  });

  it('says a request that timed out after it was sent may have been applied', async () => {
    const url = await serve(() => undefined); // reads the request, never answers
    const err = await failure(new HttpSender(300).send(post(url)));
    expect(err).toMatchObject({ kind: 'timeout', sent: 'maybe' });
    expect(err.message).toMatch(/timed out after 300 ms/);
  });

  it('says a connection reset after sending may have been applied', async () => {
    const url = await serve((req) => req.socket.resetAndDestroy());
    const err = await failure(new HttpSender(1000).send(post(url)));
    expect(err).toMatchObject({ kind: 'network', sent: 'maybe' });
  });

  it('refuses an answer larger than the cap instead of buffering it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const write = (n: number): void => void (n > 0 && res.write(chunk, () => write(n - 1)));
      write(40);
    });
    const err = await failure(new HttpSender(5000).send(post(url)));
    expect(err).toMatchObject({ kind: 'malformed' });
    expect(err.message).toMatch(/exceeds/);
  });

  it('reuses the connection (keep-alive)', async () => {
    const ports = new Set<number>();
    const url = await serve((req, res) => {
      ports.add(req.socket.remotePort!);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const sender = new HttpSender(1000);
    for (let i = 0; i < 5; i++) await sender.send(post(url));
    expect(ports.size).toBe(1);
  });

  it('lets go of an idle connection before a server would close it, so that no request meets a closing connection', async () => {
    // A server that keeps idle connections longer than we do, and says nothing of how long (no Keep-Alive hint).
    const ports: number[] = [];
    const url = await serve((req, res) => {
      ports.push(req.socket.remotePort!);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    servers[0]!.keepAliveTimeout = 60_000;
    const sender = new HttpSender(1000);
    await sender.send(post(url));
    await sender.send(post(url));
    await new Promise((r) => setTimeout(r, IDLE_CONNECTION_MS + 1_500));
    await sender.send(post(url));
    expect(ports[1]).toBe(ports[0]);
    expect(ports[2]).not.toBe(ports[0]);
  }, 15_000);
});
