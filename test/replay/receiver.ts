import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, loopbackUrl } from '../../bench/loopback-server';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A webhook receiver on 127.0.0.1 (random port). Paths: `/status/<code>` answers that code (with
 * `?retry-after=<value>` as its Retry-After header),
 * `/big` answers 200 with a 1 MiB body, `/hang` reads the request and never answers.
 */
export class TestReceiver {
  readonly received: ReceivedRequest[] = [];
  private server: Server;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  url(path: string): string {
    return loopbackUrl(this.port, path);
  }

  receivedOn(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      this.received.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const handler = this.route(path);
      handler(req, res);
    });
  }

  private route(path: string): Handler {
    if (path === '/hang') return () => undefined;
    if (path === '/big') return (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(1024 * 1024, 'x'));
    const status = /^\/status\/(\d{3})/.exec(path);
    const retryAfter = new URL(path, 'http://receiver').searchParams.get('retry-after');
    const headers = { 'content-type': 'application/json', ...(retryAfter !== null && { 'retry-after': retryAfter }) };
    return (_req, res) => res.writeHead(status ? Number(status[1]) : 404, headers).end('{"received":true}');
  }
}

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await closeServer(server);
  return port;
}
