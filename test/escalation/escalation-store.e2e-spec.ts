import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { MemoryEscalationStore } from '../../src/escalation/memory-escalation-store.adapter';
import { SqlEscalationStore } from '../../src/escalation/sql-escalation-store.adapter';
import { createTestDatabase } from '../utils/test-database';
import { describeEscalationStoreContract } from './escalation-store.contract';

describeEscalationStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const dataSource = new DataSource(dataSourceOptions(db.url, 10));
  await dataSource.initialize();
  return {
    store: new SqlEscalationStore(dataSource),
    dispose: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
});

describeEscalationStoreContract('in memory', async () => ({ store: new MemoryEscalationStore(), dispose: async () => undefined }));
