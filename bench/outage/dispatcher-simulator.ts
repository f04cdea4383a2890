import { setTimeout as pause } from 'node:timers/promises';
import { WEBHOOK_ID_HEADER } from './flaky-receiver';
import { postJson } from './http-post';

export interface Webhook {
  id: string;
  /** Real milliseconds after the start at which the platform sends it. */
  dueMs: number;
  payload: Record<string, unknown>;
}

/** `count` webhooks spread evenly over `spanMs`, the first at 0, named `${prefix}_0001`… */
export function spreadWebhooks(count: number, spanMs: number, prefix = 'wh'): Webhook[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}_${String(i + 1).padStart(4, '0')}`;
    return { id, dueMs: (i * spanMs) / count, payload: { webhook_id: id, order_id: `order-${i + 1}`, amount: 100 + i } };
  });
}

export interface ServiceEndpoint {
  baseUrl: string;
  /** A bearer token with the `ingest` role. */
  ingestToken: string;
}

export interface DispatcherOptions {
  webhooks: Webhook[];
  target: string;
  tenantId: string;
  service: ServiceEndpoint;
  /** Epoch ms the webhooks' `dueMs` count from; now when omitted. */
  startAt?: number;
  eventType?: string;
  signal?: AbortSignal;
  /**
   * Outcomes are reported in one `POST /deliveries` per this many real ms, as a dispatcher that
   * batches its reports; 0 reports each attempt on its own.
   */
  reportEveryMs?: number;
  /** Called after each attempt has been reported. */
  onAttempt?: (attempt: DispatchAttempt) => void;
}

export interface DispatchAttempt {
  id: string;
  dueAt: number;
  sentAt: number;
  /** 0 when the request got no answer. */
  status: number;
  error: string | null;
}

export interface DispatcherRun {
  attempts: DispatchAttempt[];
  /** How far behind its schedule the latest send left, in real ms. */
  maxLagMs: number;
}

/**
 * The platform's dispatcher when it leaves recovery to Auto-Heal: ONE attempt per webhook at its due
 * time, then the outcome reported to `POST /deliveries`. Resolves once every webhook is sent and reported;
 * rejects when a report is refused.
 */
export async function simulateDispatcher(options: DispatcherOptions): Promise<DispatcherRun> {
  const startAt = options.startAt ?? Date.now();
  const reporter = new Reporter(options);
  const attempts = await Promise.all(
    options.webhooks.map(async (webhook) => {
      const dueAt = startAt + webhook.dueMs;
      await pause(Math.max(0, dueAt - Date.now()), undefined, { signal: options.signal });
      const { attempt, outcome } = await sendOnce(webhook, dueAt, options);
      await reporter.report(outcome);
      options.onAttempt?.(attempt);
      return attempt;
    }),
  );
  return { attempts, maxLagMs: Math.max(0, ...attempts.map((a) => a.sentAt - a.dueAt)) };
}

/** POST /deliveries takes up to 1000 outcomes. */
const MAX_REPORT_BATCH = 1000;

/** Collects outcomes and posts them together, at most one batch every `reportEveryMs`. */
class Reporter {
  private pending: Array<{ outcome: object; done: (error?: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DispatcherOptions) {}

  report(outcome: object): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ outcome, done: (error) => (error ? reject(error) : resolve()) });
      this.timer ??= setTimeout(() => void this.flush(), this.options.reportEveryMs ?? 0);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_REPORT_BATCH);
    this.timer = this.pending.length > 0 ? setTimeout(() => void this.flush(), 0) : null;
    try {
      const res = await postJson(
        `${this.options.service.baseUrl}/deliveries`,
        batch.map((b) => b.outcome),
        { authorization: `Bearer ${this.options.service.ingestToken}` },
        60_000,
      );
      if (res.status !== 200) throw new Error(`POST /deliveries answered ${res.status}: ${res.body}`);
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.done(error);
    }
  }
}

async function sendOnce(
  webhook: Webhook,
  dueAt: number,
  options: DispatcherOptions,
): Promise<{ attempt: DispatchAttempt; outcome: object }> {
  const headers = { 'content-type': 'application/json', [WEBHOOK_ID_HEADER]: webhook.id };
  const sentAt = Date.now();
  let status: number;
  let error: string | null = null;
  try {
    ({ status } = await postJson(options.target, webhook.payload, headers));
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    status = 0;
    error = cause instanceof Error ? cause.message : String(cause);
  }
  const outcome = {
    id: webhook.id,
    tenant_id: options.tenantId,
    target: options.target,
    event_type: options.eventType ?? 'order.created',
    status: status >= 200 && status < 300 ? 'delivered' : 'failed',
    ...(status >= 100 ? { http_status: status } : {}),
    ...(error === null ? {} : { error }),
    payload: webhook.payload,
    headers,
    created_at: new Date(dueAt).toISOString(),
    attempted_at: new Date(sentAt).toISOString(),
  };
  return { attempt: { id: webhook.id, dueAt, sentAt, status, error }, outcome };
}
