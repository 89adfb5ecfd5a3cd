/** How hard and how long the chaos run pushes: `short` for CI, `long` for a release. */
export interface Profile {
  readonly name: 'short' | 'long';
  /** Server settings: short offers and few waves, so a booking's deadline comes within the run. */
  readonly offerTtlSeconds: number;
  readonly maxWaves: number;
  /** The simulated fleet (`loadline simulate`). */
  readonly drivers: number;
  readonly customers: number;
  readonly bookingsPerMinute: number;
  readonly timeScale: number;
  /** The prober: its own customers, and how many requests it keeps in flight. */
  readonly proberUsers: number;
  readonly proberConcurrency: number;
  /** Load before the first fault. */
  readonly warmupMs: number;
  /** How long a dependency or process stays down (the database stall is always 10 s). */
  readonly outageMs: number;
  readonly stallMs: number;
  readonly burst: number;
  /** An answer slower than this is a hang. */
  readonly hangMs: number;
  /** How long recovery may take before the fault counts as not recovered. */
  readonly recoveryBoundMs: number;
  /** Past a booking's last offer deadline: time for a sweep that runs every minute to find it. */
  readonly overdueGraceMs: number;
  /** Every fault, this many times in the same order. */
  readonly rounds: number;
}

export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  short: {
    name: 'short',
    offerTtlSeconds: 5,
    maxWaves: 3,
    drivers: 24,
    customers: 8,
    bookingsPerMinute: 24,
    timeScale: 30,
    proberUsers: 12,
    proberConcurrency: 2,
    warmupMs: 15_000,
    outageMs: 5_000,
    stallMs: 10_000,
    burst: 200,
    hangMs: 8_000,
    recoveryBoundMs: 45_000,
    overdueGraceMs: 65_000,
    rounds: 1,
  },
  long: {
    name: 'long',
    offerTtlSeconds: 8,
    maxWaves: 4,
    drivers: 60,
    customers: 20,
    bookingsPerMinute: 60,
    timeScale: 30,
    proberUsers: 30,
    proberConcurrency: 4,
    warmupMs: 45_000,
    outageMs: 20_000,
    stallMs: 10_000,
    burst: 200,
    hangMs: 8_000,
    recoveryBoundMs: 90_000,
    overdueGraceMs: 65_000,
    rounds: 2,
  },
};

/** The latest a booking that started searching at `startedAt` may still be searching. */
export function searchDeadline(profile: Profile, startedAt: number): number {
  return startedAt + profile.maxWaves * profile.offerTtlSeconds * 1000 + profile.overdueGraceMs;
}
