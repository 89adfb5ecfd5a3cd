import type { Logger } from '../lib/logger';
import type { HandoverDesk } from './handover-desk';
import type { LoadlineApi } from './loadline-api';
import type { SignInOrder } from './sim-accounts';
import type { Area } from './paths';
import type { Range, Random } from '../lib/random';
import type { SimSettings } from './sim-settings';
import type { SimStats } from './sim-stats';

/** What every simulated person shares: the server, the city, the rules of behaviour and the counters. */
export interface AgentContext {
  api: LoadlineApi;
  stats: SimStats;
  settings: SimSettings;
  area: Area;
  logger: Logger;
  /** Every simulated account's password (see sim-password). */
  password: string;
  /** How the accounts sign in at the start: signup first when they are known to be new. */
  signInOrder: SignInOrder;
  /** Where drivers learn handover PINs from the customers of this run. */
  handovers: HandoverDesk;
}

/** Wall-clock milliseconds for a simulated duration drawn from `range`. */
export function simulatedMs(random: Random, range: Range, settings: SimSettings): number {
  return random.in(range) / settings.timeScale;
}
