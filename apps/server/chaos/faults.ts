import type { Finding } from './invariants';
import type { Profile } from './profile';
import type { Prober } from './prober';
import { LONE_SHARD, type Topology } from './topology';

export interface FaultContext {
  readonly topology: Topology;
  readonly prober: Prober;
  readonly profile: Profile;
}

/**
 * One fault: `inject` breaks something and holds it broken for the fault's
 * time, `heal` puts it right (and returns before the system has recovered),
 * `verify` adds what only this fault can check once it has.
 */
export interface Fault {
  readonly name: string;
  inject(context: FaultContext): Promise<void>;
  heal(context: FaultContext): Promise<void>;
  verify?(context: FaultContext, window: { start: number; healedAt: number }): Promise<Finding[]>;
}

const hold = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A process or server down for the profile's outage, then started again. */
function downFor(
  name: string,
  down: (context: FaultContext) => Promise<void>,
  up: (context: FaultContext) => Promise<void>,
): Fault {
  return {
    name,
    inject: async (context) => {
      await down(context);
      await hold(context.profile.outageMs);
    },
    heal: up,
  };
}

/** Sessions from before an empty Redis must still work after it (the prober's tokens, taken just before). */
function redisRestart(): Fault {
  let tokens: readonly string[] = [];
  return {
    name: 'Redis restart, empty',
    inject: async ({ topology, prober }) => {
      tokens = prober.tokens();
      await topology.redis.kill();
    },
    heal: ({ topology }) => topology.redis.restart(),
    verify: async ({ prober }) => {
      const lost = await prober.sessionsLost(tokens);
      return lost === 0
        ? []
        : [
            {
              invariant: 'users keep their sessions after a Redis restart',
              subject: `${lost} of ${tokens.length} tokens answer 401`,
            },
          ];
    },
  };
}

/** Every fault of issue #13, always in this order. */
export function faultPlan(): Fault[] {
  return [
    downFor(
      'worker SIGKILL + restart',
      ({ topology }) => topology.killWorker(),
      ({ topology }) => topology.restartWorker(),
    ),
    downFor(
      'instance SIGKILL + restart',
      ({ topology }) => topology.killInstance(0),
      ({ topology }) => topology.restartInstance(0),
    ),
    redisRestart(),
    {
      name: 'database SIGSTOP 10 s',
      inject: async ({ topology, profile }) => {
        topology.main.pause();
        await hold(profile.stallMs);
      },
      heal: ({ topology }) => {
        topology.main.resume();
        return Promise.resolve();
      },
    },
    downFor(
      'database SIGKILL + restart',
      ({ topology }) => topology.main.kill(),
      ({ topology }) => topology.main.restart(),
    ),
    {
      ...downFor(
        `shard ${LONE_SHARD} down, others serve`,
        ({ topology }) => topology.lone.kill(),
        ({ topology }) => topology.lone.restart(),
      ),
      verify: ({ prober }, { start, healedAt }) => {
        // The prober's customers live on every shard: those off the lone shard are served all along.
        const served = prober.between(start, healedAt).filter((answer) => answer.outcome === 'ok').length;
        return Promise.resolve(
          served > 0
            ? []
            : [{ invariant: 'other shards serve while one is down', subject: 'no 2xx meanwhile' }],
        );
      },
    },
    {
      name: 'burst of bookings',
      inject: async ({ prober, profile }) => {
        await prober.burst(profile.burst);
      },
      heal: () => Promise.resolve(),
    },
  ];
}
