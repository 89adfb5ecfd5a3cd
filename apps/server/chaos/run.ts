import { parseArgs } from 'node:util';
import { faultPlan, type FaultContext } from './faults';
import { checkInvariants, type Finding } from './invariants';
import { Prober } from './prober';
import { PROFILES, type Profile } from './profile';
import { formatReport, passed, type RunReport, type WindowFinding, type WindowResult } from './report';
import { Simulation } from './simulation';
import { ShardReader } from './snapshot';
import { findProgram, installHint } from '../test/support/programs';
import { REQUIRED_PROGRAMS, Topology } from './topology';

const USAGE = `npm run test:chaos -- [--profile short|long]

Starts private MariaDB and Redis servers, the cluster topology behind nginx,
the simulator and a prober; injects every fault in a fixed order, waits for
recovery and checks the invariants in SQL. Exits 1 if any fails.
`;

const runStarted = Date.now();

/**
 * How long after its commit an event is surely consumed: the relay delivers
 * again an event not consumed 60 s after it was published (a worker killed
 * mid-job), checking every 5 s, and the queue's retries follow.
 */
const OUTBOX_REDELIVERY_BOUND_MS = 90_000;

function log(message: string): void {
  process.stdout.write(`[chaos ${((Date.now() - runStarted) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` (a throw counts as false) until it holds or `boundMs` passes; true if it held. */
async function until(condition: () => Promise<boolean>, boundMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    if (await condition().catch(() => false)) {
      return true;
    }
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(intervalMs);
  }
}

function parseProfile(argv: readonly string[]): Profile | null {
  const { values } = parseArgs({
    args: [...argv],
    options: { profile: { type: 'string', default: 'short' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    return null;
  }
  const profile = Object.values(PROFILES).find((candidate) => candidate.name === values.profile);
  if (profile === undefined) {
    throw new Error(`--profile must be short or long, got "${values.profile}"`);
  }
  return profile;
}

class Run {
  private readonly findings = new Map<string, WindowFinding>();
  private readonly windows: WindowResult[] = [];

  constructor(
    private readonly context: FaultContext,
    private readonly reader: ShardReader,
  ) {}

  /** Every process ready, a whole prober cycle begun after `since` succeeded, and a driver moved a trip. */
  async recovery(since: number): Promise<number | null> {
    const { topology, prober, profile } = this.context;
    const recovered = await until(
      async () =>
        prober.lastCycleOkAt >= since &&
        (await topology.ready()) &&
        (await this.reader.driverMovesSince(since)) > 0,
      profile.recoveryBoundMs,
    );
    return recovered ? Date.now() - since : null;
  }

  /**
   * Waits until nothing begun before `healedAt` is under way (no booking from
   * before still searching, no outbox row from before unconsumed), for at
   * most a booking's whole search and then some, so this fault's check sees
   * what it broke. A straggler past that is found by a later window's check.
   */
  async settle(healedAt: number): Promise<void> {
    const { profile } = this.context;
    await until(
      async () => (await this.reader.unsettled(healedAt)) === 0,
      profile.maxWaves * profile.offerTtlSeconds * 1000 + OUTBOX_REDELIVERY_BOUND_MS,
      500,
    );
  }

  async check(final: boolean): Promise<void> {
    let last: unknown = null;
    // The reader's pool may hold connections from before a database restart: they fail once each.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const snapshot = await this.reader.snapshot();
        for (const finding of checkInvariants(snapshot, {
          profile: this.context.profile,
          settleMs: final ? 0 : 15_000,
          consumeMs: final ? 0 : OUTBOX_REDELIVERY_BOUND_MS,
          final,
        })) {
          this.add(finding);
        }
        return;
      } catch (error) {
        last = error;
        await sleep(1_000);
      }
    }
    throw new Error('the shards could not be read', { cause: last });
  }

  /** Records a finding against the window now under way, unless an earlier one found it. */
  add(finding: Finding): void {
    const key = `${finding.invariant}\u0000${finding.subject}`;
    if (!this.findings.has(key)) {
      this.findings.set(key, { finding, window: this.windows.length });
    }
  }

  window(name: string, start: number, recoveryMs: number | null): void {
    this.windows.push({ name, start, recoveryMs, answers: this.context.prober.between(start, Date.now()) });
  }

  report(): RunReport {
    return { windows: this.windows, findings: [...this.findings.values()] };
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const profile = parseProfile(argv);
  if (profile === null) {
    process.stdout.write(USAGE);
    return;
  }
  const missing = REQUIRED_PROGRAMS.filter((name) => findProgram(name) === null);
  if (missing.length > 0) {
    process.stderr.write(`chaos: this machine lacks ${installHint(missing)}\n`);
    process.exitCode = 2;
    return;
  }
  log(
    `profile ${profile.name}: starting private MariaDB (2 servers, 4 shards), Redis, 3 server processes and nginx`,
  );
  const topology = await Topology.start(profile);
  const reader = new ShardReader(topology.env);
  const simulation = Simulation.start(topology.url, topology.env, profile);
  const prober = new Prober(topology.url, profile);
  try {
    await prober.start();
    const context: FaultContext = { topology, prober, profile };
    const run = new Run(context, reader);
    log(`up at ${topology.url}; warming up for ${profile.warmupMs / 1000} s`);
    const warmup = Date.now();
    await sleep(profile.warmupMs);
    run.window('warm-up', warmup, 0);

    for (let round = 1; round <= profile.rounds; round += 1) {
      for (const fault of faultPlan()) {
        const name = profile.rounds > 1 ? `${fault.name} (${round})` : fault.name;
        const start = Date.now();
        log(`${name}: injecting`);
        await fault.inject(context);
        const healedAt = Date.now();
        await fault.heal(context);
        const recoveryMs = await run.recovery(healedAt);
        log(`${name}: ${recoveryMs === null ? 'did NOT recover' : `recovered in ${recoveryMs} ms`}`);
        for (const finding of (await fault.verify?.(context, { start, healedAt })) ?? []) {
          run.add(finding);
        }
        await run.settle(healedAt);
        await run.check(false);
        run.window(name, start, recoveryMs);
      }
    }

    const drain = Date.now();
    log('stopping the load and waiting for the work in flight');
    await prober.stop();
    await simulation.stop();
    await until(
      async () => {
        const pending = await reader.pending();
        return pending.unconsumed === 0 && Date.now() - pending.newestAt > 3_000;
      },
      profile.maxWaves * profile.offerTtlSeconds * 1000 + OUTBOX_REDELIVERY_BOUND_MS,
    );
    await run.check(true);
    run.window('final drain', drain, 0);

    const report = run.report();
    process.stdout.write(`\n${formatReport(report)}`);
    process.stdout.write(`\nsimulator: ${simulation.summary()}\n`);
    if (!passed(report)) {
      process.stdout.write(`\nlast server output:\n${topology.logs(8)}\n`);
      process.exitCode = 1;
    }
  } finally {
    await prober.stop();
    await simulation.stop();
    await reader.close();
    await topology.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
