import { DataSource } from 'typeorm';
import {
  buildDetectionQuery,
  buildMostCommonErrorQuery,
  buildOutageSignalQuery,
  buildRecentTriageQuery,
} from '../../src/anomalies/anomaly-detection.query';
import { buildHistorySuccessBatchQuery } from '../../src/insights/success-rate.query';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { openDataSource } from './seed-deliveries';

const NOW = new Date('2025-01-23T12:00:00.000Z');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe('detection query plan on a large table', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  async function planOf(query: { text: string; values: unknown[] }): Promise<PlanNode[]> {
    const [row] = await dataSource.query(`EXPLAIN (FORMAT JSON) ${query.text}`, query.values);
    const json = typeof row['QUERY PLAN'] === 'string' ? JSON.parse(row['QUERY PLAN']) : row['QUERY PLAN'];
    return nodesOf(json[0].Plan);
  }

  const seqScansOnDeliveries = (nodes: PlanNode[]) =>
    nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'deliveries');

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    // 50k deliveries, one every 20 s going back ~11.5 days: 180 of them in the last hour.
    await dataSource.query(
      `INSERT INTO deliveries (id, tenant_id, target, status, triage_label, error, created_at, updated_at)
       SELECT 'gen-' || g, 'tenant-' || (g % 50), 'https://t' || (g % 200) || '.example.com/hook',
              CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'delivered' END,
              CASE WHEN g % 10 = 0 THEN 'transient_endpoint_down' END,
              CASE WHEN g % 10 = 0 THEN 'connect ECONNREFUSED' END,
              $1::timestamptz - g * interval '20 seconds', $1::timestamptz
         FROM generate_series(1, 50000) g`,
      [NOW.toISOString()],
    );
    // What autovacuum does on a live table: statistics, and a visibility map for index-only scans.
    await dataSource.query('VACUUM (ANALYZE) deliveries');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('reads the last hour with an index-only range scan on idx_deliveries_created_at, never a seq scan', async () => {
    const nodes = await planOf(buildDetectionQuery(NOW, DEFAULT_RULES.detection));
    expect(nodes).toContainEqual(expect.objectContaining({ 'Node Type': 'Index Only Scan', 'Index Name': 'idx_deliveries_created_at' }));
    expect(seqScansOnDeliveries(nodes)).toEqual([]);
  });

  it('probes the last attempts of still-unclassified failing endpoints through an index, not a seq scan', async () => {
    const nodes = await planOf(buildDetectionQuery(NOW, DEFAULT_RULES.detection));
    const probes = nodes.filter((n) => n['Relation Name'] === 'deliveries' && n['Index Name'] !== 'idx_deliveries_created_at');
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((n) => n['Node Type'].includes('Index'))).toBe(true);
  });

  it('reads each endpoint of an outage signal from its own index range, from the index alone', async () => {
    const endpoints = [
      { tenantId: 'tenant-10', endpoint: 'https://t10.example.com/hook' },
      { tenantId: 'tenant-20', endpoint: 'https://t20.example.com/hook' },
    ];
    const nodes = await planOf(buildOutageSignalQuery(endpoints, NOW, DEFAULT_RULES.detection));
    expect(nodes).toContainEqual(
      expect.objectContaining({ 'Node Type': 'Index Only Scan', 'Index Name': 'idx_deliveries_endpoint_created' }),
    );
    expect(seqScansOnDeliveries(nodes)).toEqual([]);
    const rows = [{ tenant_id: 'tenant-10', target: 'https://t10.example.com/hook' }];
    const triage = await planOf(buildRecentTriageQuery(rows, NOW, DEFAULT_RULES.detection));
    expect(seqScansOnDeliveries(triage)).toEqual([]);
  });

  it('finds the most common errors through an index, not a seq scan', async () => {
    const endpoints = [
      { tenant_id: 'tenant-10', target: 'https://t10.example.com/hook' },
      { tenant_id: 'tenant-20', target: 'https://t20.example.com/hook' },
    ];
    const nodes = await planOf(buildMostCommonErrorQuery(endpoints, NOW, DEFAULT_RULES.detection));
    expect(nodes.some((n) => n['Node Type'].startsWith('Index') || n['Node Type'].startsWith('Bitmap Index'))).toBe(true);
    expect(seqScansOnDeliveries(nodes)).toEqual([]);
  });

  it('reads the insights history of each endpoint from its own index range', async () => {
    const nodes = await planOf(buildHistorySuccessBatchQuery([{ tenantId: 'tenant-7', endpoint: 'https://t7.example.com/hook' }], NOW));
    expect(nodes.some((n) => n['Index Name'] === 'idx_deliveries_endpoint_created')).toBe(true);
    expect(seqScansOnDeliveries(nodes)).toEqual([]);
  });
});
