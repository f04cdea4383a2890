import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { ManualClock } from '../../src/clock/clock';
import { MemoryDeliveryStore } from '../../src/deliveries/memory-delivery-store.adapter';
import { SqlDeliveryStore } from '../../src/deliveries/sql-delivery-store.adapter';
import { createTestDatabase } from '../utils/test-database';
import { describeDeliveryStoreContract } from './delivery-store.contract';

describeDeliveryStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const dataSource = new DataSource(dataSourceOptions(db.url, 2));
  await dataSource.initialize();
  const clock = new ManualClock();
  return {
    store: new SqlDeliveryStore(dataSource, clock),
    clock,
    dispose: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
});

describeDeliveryStoreContract('in memory', async () => {
  const clock = new ManualClock();
  return { store: new MemoryDeliveryStore(clock), clock, dispose: async () => undefined };
});
