import { MemorySigningSettingsStore } from '../../src/signing/memory-signing-settings-store.adapter';
import { SqlSigningSettingsStore } from '../../src/signing/sql-signing-settings-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeSigningSettingsStoreContract } from './signing-settings-store.contract';

describeSigningSettingsStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlSigningSettingsStore(dataSource)));
describeSigningSettingsStoreContract('in memory', async () => ({
  store: new MemorySigningSettingsStore(),
  dispose: async () => undefined,
}));
