import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { MemoryIncidentStore } from '../../src/incidents/memory-incident-store.adapter';
import { SqlIncidentStore } from '../../src/incidents/sql-incident-store.adapter';
import { createTestDatabase } from '../utils/test-database';
import { describeIncidentStoreContract } from './incident-store.contract';

describeIncidentStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  // More than one connection, so the races in the contract really run concurrently.
  const dataSource = new DataSource(dataSourceOptions(db.url, 6));
  await dataSource.initialize();
  return {
    store: new SqlIncidentStore(dataSource),
    dispose: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
});

describeIncidentStoreContract('in memory', async () => ({ store: new MemoryIncidentStore(), dispose: async () => undefined }));
