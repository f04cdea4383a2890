import { Client } from 'pg';
import { classifyFailure } from '../src/triage/triage';

export const TENANTS = 500;
export const ENDPOINTS = 10_000;
export const HOT_ENDPOINTS = 50;
/**
 * Every ledger gets the last hour of a 1M-per-day platform (~41.7k deliveries); only its older
 * history differs. Same window, different table: a cycle whose cost follows the window is flat.
 */
export const LAST_HOUR_ROWS = Math.round(1_000_000 / 24);
/** Background failure share, and the dead-letter share within it. */
const FAILURE_RATE = 0.02;
const DEAD_LETTER_RATE = 0.002;

/**
 * Twenty equally likely failure kinds (so 35% 503, 20% ECONNREFUSED, ...). The label and score
 * are what M1 (classifyFailure) gives each one, so the seeded ledger is what ingestion would store.
 */
const FAILURE_KINDS: Array<{ http_status: number | null; error: string }> = [
  ...Array(7).fill({ http_status: 503, error: 'Request failed with status code 503' }),
  ...Array(4).fill({ http_status: null, error: 'connect ECONNREFUSED' }),
  ...Array(3).fill({ http_status: 429, error: 'Too Many Requests' }),
  ...Array(2).fill({ http_status: 504, error: 'Gateway Timeout' }),
  { http_status: 400, error: 'Bad Request: missing field "amount"' },
  { http_status: 404, error: 'Not Found' },
  { http_status: 410, error: 'Gone' },
  { http_status: null, error: 'unexpected end of JSON input' },
];
const SLOT = { permanent404: 17, permanent410: 18 };
/** A hot endpoint's transient mix, cycled by attempt number: mostly 503/ECONNREFUSED, some 429/504/unknown. */
const HOT_TRANSIENT_SLOTS = [0, 7, 0, 11, 0, 7, 14, 19];

const tenantOf = (e: string) => `'tenant-' || lpad((${e} % ${TENANTS})::text, 3, '0')`;
// IP-literal loopback hosts: the replay target guard never needs DNS (there is no network here).
const targetOf = (e: string) =>
  `'http://127.' || (1 + ${e} / 65536) || '.' || ((${e} / 256) % 256) || '.' || (${e} % 256) || ':9/hook/' || ${e}`;

/** Hot endpoint k: (k·197 + 13) mod 10 000 — distinct endpoints of distinct tenants. */
export function hotFailureCount(k: number): number {
  return 6 + ((k * 7) % 15);
}
export const HOT_ROWS = Array.from({ length: HOT_ENDPOINTS }, (_, k) => hotFailureCount(k)).reduce((a, b) => a + b, 0);

function kindsCte(): string {
  const rows = FAILURE_KINDS.map((kind, slot) => {
    const triage = classifyFailure({ status: 'failed', ...kind })!;
    const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
    return `(${slot}, ${kind.http_status ?? 'NULL::int'}, ${quote(kind.error)}, ${quote(triage.label)}, ${triage.score}::real)`;
  });
  return `kinds(slot, http_status, error, triage_label, triage_score) AS (VALUES ${rows.join(', ')})`;
}

const COLUMNS = `id, tenant_id, target, event_type, status, http_status, error, triage_label, triage_score,
  attempts, payload, created_at, updated_at, last_attempt_at`;

export interface SeedResult {
  deliveries: number;
  hotRows: number;
  /** Deliveries inside the detection window [now − baseline window, now]: what the detection query reads. */
  windowRows: number;
  seedMs: number;
  vacuumMs: number;
}

/**
 * `size` deliveries in total, set-based: the background (~2% failures) over the 24 h before `now`
 * across every endpoint, LAST_HOUR_ROWS of it in the last hour, plus 50 endpoints failing 6–20 times in the last
 * 5 minutes (45 mostly transient → REPLAY_RECENT, every tenth permanent → ESCALATE_OPERATOR).
 */
export async function seedLedger(url: string, size: number, now: Date, windowMinutes: number): Promise<SeedResult> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    // One session: setseed makes random() repeatable run to run.
    await client.query('SELECT setseed(0.4242)');
    await client.query(
      `WITH ${kindsCte()}
       INSERT INTO deliveries (${COLUMNS})
       SELECT 'dlv-' || s.g, ${tenantOf('s.e')}, ${targetOf('s.e')},
              (ARRAY['order.created', 'order.paid', 'invoice.sent', 'customer.updated'])[1 + s.g % 4],
              CASE WHEN k.slot IS NULL THEN 'delivered' WHEN s.r < ${DEAD_LETTER_RATE} THEN 'dead_letter' ELSE 'failed' END,
              CASE WHEN k.slot IS NULL THEN 200 ELSE k.http_status END,
              k.error, k.triage_label, k.triage_score,
              CASE WHEN k.slot IS NULL THEN 1 WHEN s.r < ${DEAD_LETTER_RATE} THEN 8 ELSE 1 + s.g % 5 END,
              jsonb_build_object('event_id', 'evt-' || s.g, 'amount_cents', s.g % 100000),
              s.at, s.at, s.at
         FROM (SELECT g, floor(random() * ${ENDPOINTS})::int AS e, random() AS r, floor(random() * 20)::int AS slot,
                      CASE WHEN g <= $3::int THEN $1::timestamptz - random() * interval '60 minutes'
                           ELSE $1::timestamptz - interval '60 minutes' - random() * interval '23 hours' END AS at
                 FROM generate_series(1, $2::int) AS g) s
         LEFT JOIN kinds k ON s.r < ${FAILURE_RATE} AND k.slot = s.slot`,
      [now.toISOString(), size - HOT_ROWS, LAST_HOUR_ROWS],
    );
    await client.query(
      `WITH ${kindsCte()},
       hot AS (SELECT k, (k * 197 + 13) % ${ENDPOINTS} AS e, 6 + (k * 7) % 15 AS n FROM generate_series(0, ${HOT_ENDPOINTS - 1}) AS k)
       INSERT INTO deliveries (${COLUMNS})
       SELECT 'hot-' || h.k || '-' || j, ${tenantOf('h.e')}, ${targetOf('h.e')}, 'order.created', 'failed',
              kk.http_status, kk.error, kk.triage_label, kk.triage_score, 1 + j % 3,
              jsonb_build_object('event_id', 'evt-hot-' || h.k || '-' || j, 'amount_cents', j * 100),
              at, at, at
         FROM hot h
        CROSS JOIN LATERAL generate_series(1, h.n) AS j
        CROSS JOIN LATERAL (SELECT $1::timestamptz - j * interval '13 seconds' - h.k * interval '100 milliseconds' AS at) t
         JOIN kinds kk ON kk.slot = CASE WHEN h.k % 10 = 9 THEN (CASE WHEN j % 2 = 0 THEN ${SLOT.permanent404} ELSE
           ${SLOT.permanent410} END)
                                         ELSE (ARRAY[${HOT_TRANSIENT_SLOTS.join(', ')}])[1 + j % ${HOT_TRANSIENT_SLOTS.length}] END`,
      [now.toISOString()],
    );
    const seedMs = performance.now() - started;
    const vacuumStarted = performance.now();
    // Sets the visibility map (index-only scans) and the statistics the planner reads.
    await client.query('VACUUM ANALYZE deliveries');
    const vacuumMs = performance.now() - vacuumStarted;
    // So the seed's dirty pages are not flushed by a checkpoint in the middle of a measurement.
    await client.query('CHECKPOINT').catch(() => undefined);
    const [{ n, w }] = (
      await client.query(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE created_at >= $1::timestamptz - make_interval(mins => $2::int) AND created_at <=
                  $1::timestamptz)::int AS w
           FROM deliveries`,
        [now.toISOString(), windowMinutes],
      )
    ).rows;
    return { deliveries: n, hotRows: HOT_ROWS, windowRows: w, seedMs, vacuumMs };
  } finally {
    await client.end();
  }
}
