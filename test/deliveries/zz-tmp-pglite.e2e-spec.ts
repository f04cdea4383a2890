import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { ManualClock } from '../../src/clock/clock';
import { runMigrationsSerialized } from '../../src/database/migrate';
import { SqlDeliveryStore } from '../../src/deliveries/sql-delivery-store.adapter';
import { describeDeliveryStoreContract } from './delivery-store.contract';

describeDeliveryStoreContract('PGlite', async () => {
  const dataSource = new DataSource(dataSourceOptions('postgres://postgres@127.0.0.1:55432/postgres', 1));
  await dataSource.initialize();
  await runMigrationsSerialized(dataSource);
  const clock = new ManualClock();
  return { store: new SqlDeliveryStore(dataSource, clock), clock, dispose: () => dataSource.destroy() };
});
