import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTestDatabase, TestDatabase } from './test-database';

/**
 * An SQL adapter on a migrated database of its own, for a contract suite; `dispose` drops it.
 * `connections` is the pool's size: more than one lets a contract's races really run concurrently.
 */
export async function sqlStore<T>(make: (dataSource: DataSource) => T, connections = 2): Promise<{ store: T; dispose(): Promise<void> }> {
  const db = await createTestDatabase();
  const dataSource = await open(db.url, connections);
  return {
    store: make(dataSource),
    dispose: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}

export interface SharedSqlDatabase {
  /** Open from the block's beforeAll to its afterAll: read it in hooks and tests, not while the block is declared. */
  readonly dataSource: DataSource;
}

/**
 * One migrated database for all the tests of the enclosing describe block (or file), created in beforeAll and
 * dropped in afterAll; the tests empty what they need between them. Call it where `beforeAll` may be called.
 */
export function sharedSqlDatabase(connections = 4): SharedSqlDatabase {
  let db: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await open(db.url, connections);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });
  return {
    get dataSource(): DataSource {
      if (!dataSource) throw new Error('sharedSqlDatabase: the database is opened in beforeAll; read dataSource in hooks and tests');
      return dataSource;
    },
  };
}

async function open(url: string, connections: number): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, connections));
  await dataSource.initialize();
  return dataSource;
}
