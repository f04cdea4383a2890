import { ManualClock } from '../../src/clock/clock';
import { MemoryDeliveryStore } from '../../src/deliveries/memory-delivery-store.adapter';
import { SqlDeliveryStore } from '../../src/deliveries/sql-delivery-store.adapter';
import { replayKeyFor } from '../../src/replay/replay-key';
import { sqlStore } from '../utils/sql-store';
import { DeliveryStoreUnderTest, describeDeliveryStoreContract } from './delivery-store.contract';

describeDeliveryStoreContract('PostgreSQL', async () => {
  const clock = new ManualClock();
  const { store, dispose } = await sqlStore((dataSource): Pick<DeliveryStoreUnderTest, 'store' | 'leaveReplayClaim'> => ({
    store: new SqlDeliveryStore(dataSource, clock),
    leaveReplayClaim: async (deliveryId, outcome) => {
      const [{ attempts }]: Array<{ attempts: number }> = await dataSource.query(`SELECT attempts FROM deliveries WHERE id = $1`, [
        deliveryId,
      ]);
      await dataSource.query(
        `INSERT INTO delivery_attempts (delivery_id, attempted_at, source, actor, outcome, replay_key)
         VALUES ($1, $2, 'autoheal', 'system:autoheal', $3, $4)`,
        [deliveryId, clock.now(), outcome, replayKeyFor(deliveryId, attempts)],
      );
    },
  }));
  return { ...store, clock, dispose };
});

describeDeliveryStoreContract('in memory', async () => {
  const clock = new ManualClock();
  const store = new MemoryDeliveryStore(clock);
  return {
    store,
    clock,
    leaveReplayClaim: async (deliveryId, outcome) => {
      const claim = { attempted_at: clock.now(), source: 'autoheal', actor: 'system:autoheal', outcome, cycle_id: null };
      store.recordReplayClaim(deliveryId, claim);
    },
    dispose: async () => undefined,
  };
});
