import { MemoryMaintenanceStore } from '../../src/maintenance/memory-maintenance-store.adapter';
import { SqlMaintenanceStore } from '../../src/maintenance/sql-maintenance-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeMaintenanceStoreContract } from './maintenance-store.contract';

describeMaintenanceStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlMaintenanceStore(dataSource)));
describeMaintenanceStoreContract('in memory', async () => ({ store: new MemoryMaintenanceStore(), dispose: async () => undefined }));
