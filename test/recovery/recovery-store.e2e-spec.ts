import { MemoryRecoveryStore } from '../../src/recovery/memory-recovery-store.adapter';
import { SqlRecoveryStore } from '../../src/recovery/sql-recovery-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeRecoveryStoreContract } from './recovery-store.contract';

describeRecoveryStoreContract('SqlRecoveryStore (PostgreSQL)', () => sqlStore((dataSource) => new SqlRecoveryStore(dataSource)));
describeRecoveryStoreContract('MemoryRecoveryStore', async () => ({ store: new MemoryRecoveryStore(), dispose: async () => undefined }));
