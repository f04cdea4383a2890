import { MemoryDeferralStore } from '../../src/deferrals/memory-deferral-store.adapter';
import { SqlDeferralStore } from '../../src/deferrals/sql-deferral-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeDeferralStoreContract } from './deferral-store.contract';

describeDeferralStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlDeferralStore(dataSource)));
describeDeferralStoreContract('in memory', async () => ({ store: new MemoryDeferralStore(), dispose: async () => undefined }));
