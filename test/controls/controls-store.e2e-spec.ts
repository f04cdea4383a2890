import { MemoryControlsStore } from '../../src/controls/memory-controls-store.adapter';
import { SqlControlsStore } from '../../src/controls/sql-controls-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeControlsStoreContract } from './controls-store.contract';

describeControlsStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlControlsStore(dataSource)));
describeControlsStoreContract('in memory', async () => ({ store: new MemoryControlsStore(), dispose: async () => undefined }));
