import { DataSource } from 'typeorm';
import { SqlInsights } from '../../src/insights/sql-insights.adapter';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { StaticRulesSource } from '../../src/rules/rules.source';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { clearDeliveries, openDataSource, seedDeliveries } from '../anomalies/seed-deliveries';

const NOW = new Date('2025-01-23T12:00:00.000Z');
const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';

interface AttemptSeed {
  deliveryId: string;
  minutesAgo: number;
  httpStatus: number | null;
  outcome: 'pending' | 'succeeded' | 'failed' | 'abandoned';
  source?: string;
}

describe('SqlInsights.endpointSuccessRate (PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let insights: SqlInsights;

  async function seedAttempts(attempts: AttemptSeed[]): Promise<void> {
    for (const a of attempts) {
      const source = a.source ?? 'autoheal';
      await dataSource.query(
        `INSERT INTO delivery_attempts (delivery_id, attempted_at, finished_at, http_status, source, actor, outcome)
         VALUES ($1, $2::timestamptz, $2::timestamptz, $3, $4, $5, $6)`,
        [
          a.deliveryId,
          new Date(NOW.getTime() - a.minutesAgo * 60_000).toISOString(),
          a.httpStatus,
          source,
          source === 'autoheal' ? 'system:autoheal' : source,
          a.outcome,
        ],
      );
    }
  }

  /** One failed delivery per attempt to hang replays on, created before the 24 h window. */
  const failedDeliveries = (tenant: string, target: string, count: number) =>
    seedDeliveries(dataSource, NOW, [{ tenant, target, minutesAgo: 26 * 60, count, status: 'failed' }]);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    insights = new SqlInsights(dataSource, new StaticRulesSource(DEFAULT_RULES));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });
  beforeEach(() => clearDeliveries(dataSource));

  it('uses the 2xx share of settled auto-heal replays of the last 24 h when there are at least 5', async () => {
    const ids = await failedDeliveries('tenant-1', A, 10);
    const [otherTenant] = await failedDeliveries('tenant-2', A, 1);
    const [otherTarget] = await failedDeliveries('tenant-1', B, 1);
    await seedAttempts([
      { deliveryId: ids[0], minutesAgo: 10, httpStatus: 200, outcome: 'succeeded' },
      { deliveryId: ids[1], minutesAgo: 60, httpStatus: 204, outcome: 'succeeded' },
      { deliveryId: ids[2], minutesAgo: 600, httpStatus: 201, outcome: 'succeeded' },
      { deliveryId: ids[3], minutesAgo: 23 * 60, httpStatus: 200, outcome: 'succeeded' },
      { deliveryId: ids[4], minutesAgo: 30, httpStatus: 503, outcome: 'failed' },
      { deliveryId: ids[5], minutesAgo: 30, httpStatus: null, outcome: 'failed' },
      // Not samples: unsettled, too old, in the future, not auto-heal, other tenant, other endpoint.
      { deliveryId: ids[6], minutesAgo: 1, httpStatus: null, outcome: 'pending' },
      { deliveryId: ids[7], minutesAgo: 5, httpStatus: null, outcome: 'abandoned' },
      { deliveryId: ids[8], minutesAgo: 25 * 60, httpStatus: 500, outcome: 'failed' },
      { deliveryId: ids[8], minutesAgo: -5, httpStatus: 500, outcome: 'failed' },
      { deliveryId: ids[9], minutesAgo: 5, httpStatus: 500, outcome: 'failed', source: 'operator' },
      { deliveryId: ids[9], minutesAgo: 6, httpStatus: 500, outcome: 'failed', source: 'dispatcher' },
      { deliveryId: otherTenant, minutesAgo: 5, httpStatus: 500, outcome: 'failed' },
      { deliveryId: otherTarget, minutesAgo: 5, httpStatus: 500, outcome: 'failed' },
    ]);

    await expect(insights.endpointSuccessRate('tenant-1', A, NOW)).resolves.toEqual({ rate: 0.667, samples: 6, basis: 'replays' });
  });

  it('falls back to the endpoint’s delivered share over the 24 h before the recent window', async () => {
    const ids = await failedDeliveries('tenant-1', A, 4);
    await seedAttempts(ids.map((deliveryId) => ({ deliveryId, minutesAgo: 10, httpStatus: 200, outcome: 'succeeded' as const })));
    await seedDeliveries(dataSource, NOW, [
      { target: A, minutesAgo: 6, spreadToMinutesAgo: 23 * 60, count: 8 },
      { target: A, minutesAgo: 30, count: 1, status: 'failed' },
      { target: A, minutesAgo: 24 * 60, count: 1, status: 'dead_letter' },
      // Not samples: the recent window (the incident itself), unsettled, too old, other endpoint or tenant.
      { target: A, minutesAgo: 1, count: 20, status: 'failed' },
      { target: A, minutesAgo: 10, count: 5, status: 'pending' },
      { target: A, minutesAgo: 24 * 60 + 6, count: 5, status: 'failed' },
      { target: B, minutesAgo: 30, count: 5, status: 'failed' },
      { tenant: 'tenant-2', target: A, minutesAgo: 30, count: 5, status: 'failed' },
    ]);

    await expect(insights.endpointSuccessRate('tenant-1', A, NOW)).resolves.toEqual({ rate: 0.8, samples: 10, basis: 'history' });
  });

  it('answers no rate when neither basis has 5 samples', async () => {
    const ids = await failedDeliveries('tenant-1', A, 3);
    await seedAttempts(ids.map((deliveryId) => ({ deliveryId, minutesAgo: 10, httpStatus: 200, outcome: 'succeeded' as const })));
    await seedDeliveries(dataSource, NOW, [{ target: A, minutesAgo: 30, count: 4 }]);

    await expect(insights.endpointSuccessRate('tenant-1', A, NOW)).resolves.toEqual({ rate: null, samples: 4, basis: 'none' });
    await expect(insights.endpointSuccessRate('tenant-9', 'https://never.example.com', NOW)).resolves.toEqual({
      rate: null,
      samples: 0,
      basis: 'none',
    });
  });
});
