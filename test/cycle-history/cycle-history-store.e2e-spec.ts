import { MemoryCycleHistoryStore } from '../../src/cycle-history/memory-cycle-history-store.adapter';
import { SqlCycleHistoryStore } from '../../src/cycle-history/sql-cycle-history-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeCycleHistoryStoreContract } from './cycle-history-store.contract';

describeCycleHistoryStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlCycleHistoryStore(dataSource)));
describeCycleHistoryStoreContract('in memory', async () => ({ store: new MemoryCycleHistoryStore(), dispose: async () => undefined }));
