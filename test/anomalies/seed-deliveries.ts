import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import type { DeliveryStatus } from '../../src/deliveries/delivery.constants';

/** A plain DataSource on a test database, for seeding and for the adapters under test. */
export async function openDataSource(url: string): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, 4));
  await dataSource.initialize();
  return dataSource;
}

export interface DeliverySeed {
  tenant?: string;
  target?: string;
  status?: DeliveryStatus;
  /** created_at = now − this many minutes (fractions allowed; negative is in the future). */
  minutesAgo: number;
  /** How many identical rows (default 1). */
  count?: number;
  /** Spread `count` rows evenly from `minutesAgo` back to this many minutes ago. */
  spreadToMinutesAgo?: number;
  triage?: string | null;
  error?: string | null;
}

let batch = 0;

/** Inserts deliveries straight into the table (no API), at chosen times relative to `now`. Returns their ids. */
export async function seedDeliveries(dataSource: DataSource, now: Date, seeds: DeliverySeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const seed of seeds) {
    const count = seed.count ?? 1;
    const from = seed.minutesAgo;
    const to = seed.spreadToMinutesAgo ?? from;
    const prefix = `dlv-${process.pid}-${++batch}`;
    const rows: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, target, status, triage_label, error, http_status, created_at, updated_at)
       SELECT $1 || '-' || g, $2, $3, $4, $5, $6, $7,
              $8::timestamptz - make_interval(secs => ($9::float8 + ($10::float8 - $9::float8) * (g - 1) / greatest($11::int - 1, 1)) * 60),
              $8::timestamptz
         FROM generate_series(1, $11::int) g
       RETURNING id`,
      [
        prefix,
        seed.tenant ?? 'tenant-1',
        seed.target ?? 'https://a.example.com/hook',
        seed.status ?? 'delivered',
        seed.triage ?? null,
        seed.error ?? null,
        seed.status === 'failed' || seed.status === 'dead_letter' ? 503 : seed.status === 'delivered' ? 200 : null,
        now.toISOString(),
        from,
        to,
        count,
      ],
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

export async function clearDeliveries(dataSource: DataSource): Promise<void> {
  await dataSource.query('TRUNCATE deliveries CASCADE');
}
