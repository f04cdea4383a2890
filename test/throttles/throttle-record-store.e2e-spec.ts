import { MemoryThrottleRecordStore } from '../../src/throttles/memory-throttle-record-store.adapter';
import { SqlThrottleRecordStore } from '../../src/throttles/sql-throttle-record-store.adapter';
import { sharedSqlDatabase } from '../utils/sql-store';
import { describeThrottleRecordStoreContract } from './throttle-record-store.contract';

const sql = sharedSqlDatabase();

describeThrottleRecordStoreContract('SQL (PostgreSQL)', async () => {
  await sql.dataSource.query('TRUNCATE tenant_throttles');
  return new SqlThrottleRecordStore(sql.dataSource);
});
describeThrottleRecordStoreContract('memory', async () => new MemoryThrottleRecordStore());
