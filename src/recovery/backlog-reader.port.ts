import type { BacklogDelivery, BacklogFilter, BacklogPlan } from './backlog';
import type { BacklogSource } from './drain-ports';

/**
 * Reads a backlog of failed deliveries: as a source a drain pulls from, oldest first, or as a plan.
 * Both leave out deliveries whose current attempt is already claimed (pending or abandoned), so a
 * plan counts exactly what a drain could claim.
 */
export abstract class BacklogReader {
  /** A fresh cursor: each call starts from the oldest, and one source never hands out an item twice. */
  abstract source(filter: BacklogFilter): BacklogSource<BacklogDelivery>;

  /** Per endpoint: how many, oldest and newest, oldest endpoint first. */
  abstract plan(filter: BacklogFilter): Promise<BacklogPlan>;
}
