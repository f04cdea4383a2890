import { InitialSchema1764000000000 } from './1764000000000-InitialSchema';
import { HealingState1764000100000 } from './1764000100000-HealingState';
import { CycleHistoryStatus1764000200000 } from './1764000200000-CycleHistoryStatus';

/** Every migration, in order. Never edit a landed one: add the next. */
export const MIGRATIONS = [InitialSchema1764000000000, HealingState1764000100000, CycleHistoryStatus1764000200000];
