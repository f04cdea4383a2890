import { DataSource } from 'typeorm';
import { MemoryThrottleRecordStore } from '../../src/throttles/memory-throttle-record-store.adapter';
import { SqlThrottleRecordStore } from '../../src/throttles/sql-throttle-record-store.adapter';
import { openDataSource } from '../anomalies/seed-deliveries';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { describeThrottleRecordStoreContract } from './throttle-record-store.contract';

let db: TestDatabase;
let dataSource: DataSource;
beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await openDataSource(db.url);
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

describeThrottleRecordStoreContract('SQL (PostgreSQL)', async () => {
  await dataSource.query('TRUNCATE tenant_throttles');
  return new SqlThrottleRecordStore(dataSource);
});
describeThrottleRecordStoreContract('memory', async () => new MemoryThrottleRecordStore());
