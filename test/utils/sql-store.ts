import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTestDatabase } from './test-database';

/** An SQL adapter on a migrated database of its own, for a contract suite; `dispose` drops it. */
export async function sqlStore<T>(make: (dataSource: DataSource) => T): Promise<{ store: T; dispose(): Promise<void> }> {
  const db = await createTestDatabase();
  const dataSource = new DataSource(dataSourceOptions(db.url, 2));
  await dataSource.initialize();
  return {
    store: make(dataSource),
    dispose: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
