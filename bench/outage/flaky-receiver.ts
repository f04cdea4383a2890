import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { closeServer, listenOnLoopback, loopbackUrl } from '../loopback-server';

export const WEBHOOK_ID_HEADER = 'x-webhook-id';
const REPLAY_DELIVERY_ID_HEADER = 'x-aetherlink-delivery-id';

export interface Receipt {
  /** The webhook's id: the `x-webhook-id` header, else the body's `webhook_id`, else the replay's delivery id header. */
  id: string | null;
  /** Real time of arrival, epoch milliseconds. */
  at: number;
  status: number;
  whileDown: boolean;
  /** The first request ever received for this id; every later one is a re-send. */
  first: boolean;
  /** Requests in flight when this one arrived, itself included. */
  concurrency: number;
  headers: IncomingHttpHeaders;
}

export interface FlakyReceiverOptions {
  downStatus?: number;
  upStatus?: number;
  /** Sent as `Retry-After` with every answer given while down. */
  retryAfterSeconds?: number;
  /** Each answer is held this long, so concurrent senders overlap and concurrency shows. */
  responseDelayMs?: number;
  now?: () => number;
}

/**
 * A webhook endpoint on 127.0.0.1 that is down (503) inside a time window and up (200) outside it,
 * counting what it gets per webhook id: how often, when, whether it was down, and how many at once.
 */
export class FlakyReceiver {
  readonly receipts: Receipt[] = [];
  private readonly options: Required<Omit<FlakyReceiverOptions, 'retryAfterSeconds'>> & Pick<FlakyReceiverOptions, 'retryAfterSeconds'>;
  private readonly seen = new Set<string>();
  private server?: Server;
  private port = 0;
  private downFrom = Infinity;
  private downUntil = Infinity;
  private inFlight = 0;
  private peak = 0;

  constructor(options: FlakyReceiverOptions = {}) {
    this.options = { downStatus: 503, upStatus: 200, responseDelayMs: 0, now: Date.now, ...options };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const at = this.options.now();
      this.inFlight += 1;
      this.peak = Math.max(this.peak, this.inFlight);
      const concurrency = this.inFlight;
      let released = false;
      const release = () => {
        if (!released) this.inFlight -= 1;
        released = true;
      };
      res.once('finish', release);
      res.once('close', release);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const id = idOf(req.headers, Buffer.concat(chunks).toString());
        const whileDown = this.isDown(at);
        const status = whileDown ? this.options.downStatus : this.options.upStatus;
        const first = id !== null && !this.seen.has(id);
        if (id !== null) this.seen.add(id);
        this.receipts.push({ id, at, status, whileDown, first, concurrency, headers: req.headers });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (whileDown && this.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(this.options.retryAfterSeconds);
        const answer = () => res.writeHead(status, headers).end(JSON.stringify({ ok: !whileDown }));
        if (this.options.responseDelayMs > 0) setTimeout(answer, this.options.responseDelayMs);
        else answer();
      });
    });
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  url(path = '/webhook'): string {
    return loopbackUrl(this.port, path);
  }

  /** Down from `from` until `until` (epoch ms), up before and after. */
  downBetween(from: number, until: number): void {
    if (!(until >= from)) throw new Error(`downBetween: until (${until}) must not be before from (${from})`);
    this.downFrom = from;
    this.downUntil = until;
  }

  goDown(): void {
    this.downBetween(this.options.now(), Infinity);
  }

  recover(): void {
    this.downBetween(Math.min(this.downFrom, this.options.now()), this.options.now());
  }

  isDown(at = this.options.now()): boolean {
    return at >= this.downFrom && at < this.downUntil;
  }

  /** When it came back up, or null while it has not. */
  get recoveredAt(): number | null {
    return Number.isFinite(this.downUntil) ? this.downUntil : null;
  }

  /** How many distinct webhook ids it has received. */
  get idsSeen(): number {
    return this.seen.size;
  }

  get maxConcurrency(): number {
    return this.peak;
  }

  /** Receipts of `id` that it answered with a 2xx. */
  acknowledged(id: string): Receipt[] {
    return this.receipts.filter((r) => r.id === id && r.status < 300);
  }

  /** Ids it acknowledged at least once. */
  delivered(): Set<string> {
    return new Set(this.receipts.filter((r) => r.status < 300 && r.id !== null).map((r) => r.id!));
  }

  /** 2xx receipts beyond the first per id: each one a webhook the receiver processed again. */
  duplicates(): number {
    const acks = new Map<string, number>();
    for (const r of this.receipts) if (r.status < 300 && r.id !== null) acks.set(r.id, (acks.get(r.id) ?? 0) + 1);
    return [...acks.values()].reduce((sum, n) => sum + n - 1, 0);
  }

  /** Re-sends (not the first request of an id) that arrived while it was down. */
  resendsWhileDown(): Receipt[] {
    return this.receipts.filter((r) => r.whileDown && !r.first);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}

function idOf(headers: IncomingHttpHeaders, body: string): string | null {
  const header = headers[WEBHOOK_ID_HEADER] ?? headers[REPLAY_DELIVERY_ID_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { webhook_id?: unknown }).webhook_id === 'string') {
      return (parsed as { webhook_id: string }).webhook_id;
    }
  } catch {
    // not JSON: no id in the body
  }
  return null;
}
