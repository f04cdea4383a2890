import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { closeServer, listenOnLoopback, loopbackUrl } from '../../bench/loopback-server';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Date.now() when it arrived. */
  at: number;
  /** What it was answered (null while unanswered, or never: `hang`). */
  status: number | null;
}

/** Overrides `status` for one request: its status and extra headers (a Retry-After, say). */
export type Responder = (request: ReceivedRequest) => { status: number; headers?: Record<string, string> } | undefined;

/** A webhook endpoint on 127.0.0.1 that answers with `status` and remembers what it got. */
export class HttpReceiver {
  readonly received: ReceivedRequest[] = [];
  status = 200;
  /** When true, requests are recorded but never answered (an endpoint that hangs). */
  hang = false;
  /** Answers this long after the request arrived (a slow endpoint). */
  delayMs = 0;
  /** Asked first for each request; undefined falls back to `status`. */
  respond?: Responder;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  private server?: Server;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // keep the raw text
        }
        const received: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          at: Date.now(),
          status: null,
        };
        this.received.push(received);
        if (this.hang) return;
        const reply = this.respond?.(received) ?? { status: this.status };
        const status = reply.status;
        received.status = status;
        this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
        const answer = () => {
          this.inFlight--;
          res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify({ ok: status < 300 }));
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  url(path = '/webhook'): string {
    return loopbackUrl(this.port, path);
  }

  /** The requests a path got (the same receiver can host several endpoints). */
  at(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
