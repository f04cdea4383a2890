import { MemoryIncidentStore } from '../../src/incidents/memory-incident-store.adapter';
import { SqlIncidentStore } from '../../src/incidents/sql-incident-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeIncidentStoreContract } from './incident-store.contract';

// More than one connection, so the races in the contract really run concurrently.
describeIncidentStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlIncidentStore(dataSource), 6));

describeIncidentStoreContract('in memory', async () => ({ store: new MemoryIncidentStore(), dispose: async () => undefined }));
