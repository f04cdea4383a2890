import { ManualClock } from '../../src/clock/clock';
import { MemoryDeliveryStore } from '../../src/deliveries/memory-delivery-store.adapter';
import { SqlDeliveryStore } from '../../src/deliveries/sql-delivery-store.adapter';
import { MemoryBacklogReader } from '../../src/recovery/memory-backlog-reader.adapter';
import { SqlBacklogReader } from '../../src/recovery/sql-backlog-reader.adapter';
import { SqlReplayLedger } from '../../src/replay/sql-replay-ledger.adapter';
import { sqlStore } from '../utils/sql-store';
import { describeBacklogReaderContract } from './backlog-reader.contract';

describeBacklogReaderContract('SqlBacklogReader (PostgreSQL)', async () => {
  const clock = new ManualClock(new Date());
  const { store, dispose } = await sqlStore((dataSource) => ({
    reader: new SqlBacklogReader(dataSource, clock),
    deliveries: new SqlDeliveryStore(dataSource, clock),
    ledger: new SqlReplayLedger(dataSource),
  }));
  return {
    ...store,
    clock,
    claim: async (id) => {
      const claim = await store.ledger.claim(id, {
        cycleId: null,
        actor: 'system:autoheal',
        now: clock.now(),
        cycleStartedAt: clock.now(),
      });
      if (!claim) throw new Error(`could not claim ${id}`);
    },
    dispose,
  };
});

describeBacklogReaderContract('MemoryBacklogReader over MemoryDeliveryStore', async () => {
  const clock = new ManualClock(new Date());
  const deliveries = new MemoryDeliveryStore(clock);
  return {
    reader: new MemoryBacklogReader(deliveries, clock),
    deliveries,
    clock,
    claim: async (id) => {
      const claimed = deliveries.recordReplayClaim(id, {
        attempted_at: clock.now(),
        source: 'autoheal',
        actor: 'system:autoheal',
        outcome: 'pending',
        cycle_id: null,
      });
      if (!claimed) throw new Error(`could not claim ${id}`);
    },
    dispose: async () => undefined,
  };
});
