import { OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { version } from '../../package.json';
import { isHeaderName, isHeaderValue } from '../common/http-header';
import type { ReplaySignature, ReplaySigner } from '../signing/replay-signer.service';
import { Replayer } from './replayer.port';
import type { ReplayRequest, ReplayResult } from './replay.types';
import { TargetGuard } from './target-guard';

export interface HttpReplayerOptions {
  timeoutMs: number;
  connectionsPerOrigin?: number;
  /** Read so the connection can be reused, never kept; cut past this. */
  maxResponseBytes?: number;
  userAgent?: string;
}

export const REPLAY_HEADER = 'x-aetherlink-replay';
export const DELIVERY_ID_HEADER = 'x-aetherlink-delivery-id';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

// Hop-by-hop headers, those the transport computes, and those describing the original bytes (the body is sent
// decoded, so an old content-encoding would be a lie; the content type is the delivery's own).
const DROPPED_HEADERS = new Set([
  'host',
  'content-length',
  'content-encoding',
  'content-type',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'http2-settings',
  'user-agent',
  IDEMPOTENCY_HEADER,
  REPLAY_HEADER,
  DELIVERY_ID_HEADER,
]);

export class HttpReplayer extends Replayer implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly maxResponseBytes: number;
  private readonly userAgent: string;

  constructor(
    private readonly options: HttpReplayerOptions,
    private readonly guard: TargetGuard,
    /** Absent: stored headers are sent as they are, signatures included. */
    private readonly signer?: ReplaySigner,
  ) {
    super();
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.userAgent = options.userAgent ?? `AetherLink-AutoHeal/${version} (replay)`;
    const lookup = guard.connectLookup();
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 8,
      keepAliveTimeout: 10_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.timeoutMs, ...(lookup ? { lookup } : {}) },
    });
  }

  async send(req: ReplayRequest): Promise<ReplayResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const verdict = await this.guard.check(req.target);
      if (!verdict.allowed) return failure(`target refused: ${verdict.reason}`, elapsed());

      if (this.agent.closed) return failure('not sent: the replayer is shut down (UND_ERR_CLOSED)', elapsed());
      const body = req.body ?? JSON.stringify(req.payload ?? null);
      let signature: ReplaySignature | null = null;
      try {
        signature = (await this.signer?.sign({ ...req, body, storedHeaders: req.headers })) ?? null;
      } catch (error) {
        return failure(`not sent: the endpoint's signing settings could not be used (${errorText(error)})`, elapsed());
      }
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      const response = await request(req.target, {
        dispatcher: this.agent,
        method: 'POST',
        headers: this.headersFor(req, signature),
        body,
        signal,
      });
      // The status is the answer; a body that is too large or too slow does not change it.
      await response.body.dump({ limit: this.maxResponseBytes, signal }).catch(() => undefined);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const retryAfter = headerValue(response.headers['retry-after']);
      return {
        ok,
        httpStatus: response.statusCode,
        error: ok ? null : `HTTP ${response.statusCode}`,
        durationMs: elapsed(),
        ...(retryAfter !== undefined && { retryAfter }),
      };
    } catch (error) {
      const message = describeError(error, this.options.timeoutMs);
      return { ...failure(message, elapsed()), ...(message.startsWith(TIMEOUT_PREFIX) && { timedOut: true }) };
    }
  }

  private headersFor(req: ReplayRequest, signature: ReplaySignature | null): Record<string, string> {
    const stored = req.headers ?? {};
    const named = new Set(
      Object.entries(stored)
        .filter(([name]) => name.toLowerCase() === 'connection')
        .flatMap(([, value]) => String(value).split(','))
        .map((name) => name.trim().toLowerCase()),
    );
    const headers: Record<string, string> = {};
    for (const [name, raw] of Object.entries(stored)) {
      const lower = name.toLowerCase();
      if (DROPPED_HEADERS.has(lower) || named.has(lower) || signature?.drop.has(lower) || !isHeaderName(name)) continue;
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') continue;
      const value = String(raw);
      if (isHeaderValue(value)) headers[lower] = value;
    }
    Object.assign(headers, signature?.headers);
    headers['content-type'] = req.contentType ?? 'application/json';
    headers['user-agent'] = this.userAgent;
    headers[IDEMPOTENCY_HEADER] = req.idempotencyKey;
    headers[REPLAY_HEADER] = 'autoheal';
    headers[DELIVERY_ID_HEADER] = req.deliveryId;
    return headers;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.agent.closed) await this.agent.close();
  }
}

const TIMEOUT_PREFIX = 'timeout:';

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function failure(error: string, durationMs: number): ReplayResult {
  return { ok: false, httpStatus: null, error, durationMs };
}

function describeError(error: unknown, timeoutMs: number): string {
  // Happy-eyeballs connects fail with an AggregateError whose own message is empty.
  const cause = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const err = cause as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `timeout: could not connect within ${timeoutMs} ms`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `timeout: no response within ${timeoutMs} ms`;
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection closed by the receiver (${err.code})`;
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return `not sent: the replayer is shut down (${err.code})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host could not be resolved (${err.code})`;
  }
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timeout: no response within ${timeoutMs} ms`;
  const message = err instanceof Error ? err.message : String(cause);
  return err?.code ? `${err.code}: ${message}` : message || 'unknown error';
}
