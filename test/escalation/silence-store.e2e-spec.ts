import { MemorySilenceStore } from '../../src/escalation/memory-silence-store.adapter';
import { SqlSilenceStore } from '../../src/escalation/sql-silence-store.adapter';
import { sharedSqlDatabase } from '../utils/sql-store';
import { describeSilenceStoreContract } from './silence-store.contract';

const sql = sharedSqlDatabase();

describeSilenceStoreContract('SQL (PostgreSQL)', async () => {
  await sql.dataSource.query('TRUNCATE notification_silences');
  return new SqlSilenceStore(sql.dataSource);
});
describeSilenceStoreContract('memory', async () => new MemorySilenceStore());

describe('SqlSilenceStore under concurrency', () => {
  it('20 instances paging at once from 20 endpoints: 20 occurrences, exactly one escalation', async () => {
    const store = new SqlSilenceStore(sql.dataSource);
    const now = new Date('2026-06-01T12:00:00.000Z');
    const silence = await store.create({
      signature: 'race',
      tenantId: 'race',
      now,
      durationMinutes: 15,
      dedupWindowSeconds: 300,
      maxOccurrences: 10,
      createdBy: 'test',
      comment: null,
      incidentId: null,
    });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.countOccurrence(silence.id, `https://e/${i}`, now)));
    expect(outcomes.filter((o) => o?.escalate)).toHaveLength(1);
    expect(await store.get(silence.id)).toMatchObject({ occurrences: 20, suppressed: 19 });
  });
});
