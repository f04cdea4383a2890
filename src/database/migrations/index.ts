import { InitialSchema1764000000000 } from './1764000000000-InitialSchema';
import { HealingState1764000100000 } from './1764000100000-HealingState';
import { Incidents1764000800000 } from './1764000800000-Incidents';
import { HealingLeases1764000900000 } from './1764000900000-HealingLeases';
import { Recoveries1764001300000 } from './1764001300000-Recoveries';
import { ExactBytesAndSigning1764001450000 } from './1764001450000-ExactBytesAndSigning';
import { ThrottlesAndSilences1764002200000 } from './1764002200000-ThrottlesAndSilences';

/** Never edit a landed one: add the next. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  HealingState1764000100000,
  Incidents1764000800000,
  HealingLeases1764000900000,
  Recoveries1764001300000,
  ExactBytesAndSigning1764001450000,
  ThrottlesAndSilences1764002200000,
];
