import { MemoryEscalationStore } from '../../src/escalation/memory-escalation-store.adapter';
import { SqlEscalationStore } from '../../src/escalation/sql-escalation-store.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeEscalationStoreContract } from './escalation-store.contract';

describeEscalationStoreContract('PostgreSQL', () => sqlStore((dataSource) => new SqlEscalationStore(dataSource), 10));

describeEscalationStoreContract('in memory', async () => ({ store: new MemoryEscalationStore(), dispose: async () => undefined }));
