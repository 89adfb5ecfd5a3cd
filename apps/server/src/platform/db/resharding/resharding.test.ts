import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuthResponse, Booking, BookingStatus, Offer } from '@loadline/contracts';
import { nextDriverStatus } from '@loadline/contracts';
import type { LoadlineApp } from '../../../app';
import { bearer, customerSignup, driverSignup } from '../../../../test/support/factories';
import { CITY, offset } from '../../../../test/support/fleet';
import { repoRoot } from '../../../../test/support/processes';
import { TestEnvironment } from '../../../../test/support/test-env';
import { isCluster } from '../../../../test/support/tier';
import { waitFor } from '../../../../test/support/wait';
import { runShardCommand } from '../../../cli/shard-commands';
import { createShardPool } from '../../platform';
import { encodeId } from '../ids';
import { loadShardMap } from '../migrate';
import type { ShardPool } from '../shard-pool';
import { movableTables } from './shard-placement';

type Reply = Awaited<ReturnType<LoadlineApp['http']['inject']>>;

/** A client that retries 503 (a fenced range answers it with Retry-After) as the contract invites. */
async function call(
  app: LoadlineApp,
  request: { method: 'GET' | 'POST' | 'PUT'; url: string; token?: string; payload?: object },
): Promise<Reply> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await app.http.inject({
      method: request.method,
      url: request.url,
      ...(request.token === undefined ? {} : { headers: bearer(request.token) }),
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    if (response.statusCode !== 503 || attempt >= 100) {
      return response;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Acknowledged {
  users: { id: string; email: string; password: string }[];
  /** Booking -> its customer's token and every status a 200/201 answer confirmed. */
  bookings: Map<string, { token: string; statuses: BookingStatus[] }>;
  refused: number;
}

/**
 * A live write load: customers sign up, book and cancel; drivers report
 * positions, accept offers and drive them to delivered. Only what the API
 * acknowledged is recorded.
 */
function startLoad(
  app: LoadlineApp,
  drivers: readonly AuthResponse[],
): { stop: () => Promise<Acknowledged> } {
  const acknowledged: Acknowledged = { users: [], bookings: new Map(), refused: 0 };
  let running = true;
  const confirm = (bookingId: string, status: BookingStatus) => {
    acknowledged.bookings.get(bookingId)?.statuses.push(status);
  };

  const customer = async () => {
    while (running) {
      const body = customerSignup();
      const signup = await call(app, { method: 'POST', url: '/v1/auth/signup', payload: body });
      if (signup.statusCode !== 201) {
        acknowledged.refused += 1;
        continue;
      }
      const auth = signup.json<AuthResponse>();
      acknowledged.users.push({ id: auth.user.id, email: body.email, password: body.password });
      const booked = await call(app, {
        method: 'POST',
        url: '/v1/bookings',
        token: auth.token,
        payload: { pickup: CITY, dropoff: offset(CITY, 4, 2), vehicleType: 'van' },
      });
      if (booked.statusCode !== 201) {
        acknowledged.refused += 1;
        continue;
      }
      const booking = booked.json<Booking>();
      acknowledged.bookings.set(booking.id, { token: auth.token, statuses: [booking.status] });
      if (acknowledged.users.length % 3 === 0) {
        const cancelled = await call(app, {
          method: 'POST',
          url: `/v1/bookings/${booking.id}/cancel`,
          token: auth.token,
          payload: { reason: 'changed plans' },
        });
        if (cancelled.statusCode === 200) {
          confirm(booking.id, 'cancelled');
        }
      }
    }
  };

  const driver = async (auth: AuthResponse, index: number) => {
    let step = 0;
    const ping = async () => {
      step += 1;
      await call(app, {
        method: 'POST',
        url: '/v1/driver/location',
        token: auth.token,
        payload: { ...offset(CITY, step * 0.001, index * 0.01), heading: 90, speedKmh: 20 },
      });
    };
    while (running) {
      await ping();
      const offers = await call(app, { method: 'GET', url: '/v1/driver/offers', token: auth.token });
      const offer = offers.statusCode === 200 ? offers.json<{ items: Offer[] }>().items[0] : undefined;
      if (offer === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const accepted = await call(app, {
        method: 'POST',
        url: `/v1/driver/offers/${offer.bookingId}/accept`,
        token: auth.token,
      });
      if (accepted.statusCode !== 200) {
        continue;
      }
      confirm(offer.bookingId, 'driver_assigned');
      for (
        let status = nextDriverStatus('driver_assigned');
        status !== null;
        status = nextDriverStatus(status)
      ) {
        await ping();
        const moved = await call(app, {
          method: 'POST',
          url: `/v1/bookings/${offer.bookingId}/status`,
          token: auth.token,
          payload: { status },
        });
        if (moved.statusCode !== 200) {
          break;
        }
        confirm(offer.bookingId, status);
      }
    }
  };

  const actors = [customer(), ...drivers.map((auth, index) => driver(auth, index))];
  return {
    stop: async () => {
      running = false;
      await Promise.all(actors);
      return acknowledged;
    },
  };
}

function runMover(env: Record<string, string>, args: readonly string[]) {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts', 'shards', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', ENV_FILE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** Rows of every movable table that sit on a physical shard the map does not name for them. */
async function misplacedRows(pool: ShardPool): Promise<string[]> {
  const map = await loadShardMap(pool);
  const misplaced: string[] = [];
  for (const shard of pool.shards) {
    for (const { table, owner } of movableTables()) {
      const result = await sql<{ logical: number | string; rows: number | string }>`
        select ${sql.raw(owner(''))} as logical, count(*) as \`rows\` from ${sql.table(table)} group by logical`.execute(
        shard.db,
      );
      for (const row of result.rows) {
        if (map.physicalFor(Number(row.logical)) !== shard.index) {
          misplaced.push(`${shard.label}.${table}: ${row.rows} rows of logical shard ${row.logical}`);
        }
      }
    }
  }
  return misplaced;
}

async function keysOf(pool: ShardPool, table: 'users' | 'bookings' | 'booking_events'): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const shard of pool.shards) {
    const rows =
      table === 'booking_events'
        ? await shard.db.selectFrom('booking_events').select(['booking_id', 'seq']).execute()
        : await shard.db.selectFrom(table).select('id').execute();
    for (const row of rows) {
      keys.add('seq' in row ? `${row.booking_id}:${row.seq}` : row.id);
    }
  }
  return keys;
}

describe.runIf(isCluster)('moving logical shards while serving (cluster)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) {
      await step();
    }
  });

  it(
    'rebalances 2 physical shards over 4 under live writes, resumes after the mover is killed mid-copy, and keeps every row once on its shard and every acknowledged write',
    { timeout: 300_000 },
    async () => {
      // The load signs up from one address far faster than a person would.
      const env = await TestEnvironment.create('reshard', {
        shards: 4,
        // Two of the four start the deployment; the other two join it later, empty, as new shards do.
        schema: 'empty',
        env: { AUTH_RATE_LIMIT_IP: '1000000/60' },
      });
      cleanup.push(() => env.destroy());
      const urls = (env.env.DATABASE_SHARDS ?? '').split(',');
      expect(urls).toHaveLength(4);

      // Two physical shards, with enough rows that a copy takes a while.
      const first = await env.start({ env: { DATABASE_SHARDS: urls.slice(0, 2).join(',') } });
      for (const [entity, count] of [
        ['users', 1_500],
        ['drivers', 100],
        ['bookings', 1_500],
      ] as const) {
        const job = await first.services.generation.service.start(entity, count);
        await waitFor(
          async () => (await first.services.generation.service.status(job.id)).state === 'completed',
          60_000,
          50,
        );
      }
      await first.close();
      // Two more URLs appended (a rolling restart): they join with no logical shards.
      const app = await env.start();
      const pool = createShardPool(env.config());
      cleanup.push(() => pool.close());
      expect((await loadShardMap(pool)).counts()).toEqual([2048, 2048, 0, 0]);

      const drivers: AuthResponse[] = [];
      for (let index = 0; index < 3; index += 1) {
        const signup = await call(app, { method: 'POST', url: '/v1/auth/signup', payload: driverSignup() });
        const auth = signup.json<AuthResponse>();
        await call(app, {
          method: 'PUT',
          url: '/v1/driver/availability',
          token: auth.token,
          payload: { online: true },
        });
        drivers.push(auth);
      }
      const load = startLoad(app, drivers);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const before = {
        users: await keysOf(pool, 'users'),
        bookings: await keysOf(pool, 'bookings'),
        events: await keysOf(pool, 'booking_events'),
      };

      // The first mover is killed (SIGKILL) in the middle of its copy.
      const killed = runMover(env.env, ['rebalance']);
      let caught: { phase: string; copied_rows: number } | undefined;
      await waitFor(
        async () => {
          caught = await pool.shards[0]?.db
            .selectFrom('shard_moves')
            .select(['phase', 'copied_rows'])
            .orderBy('id', 'desc')
            .executeTakeFirst();
          return caught !== undefined && (caught.phase !== 'copying' || caught.copied_rows >= 300);
        },
        120_000,
        10,
      );
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(caught?.phase, killed.output.join('')).toBe('copying');

      // Writes go on while nobody moves anything; then the rebalance is run again and resumes.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const resumed = runMover(env.env, ['rebalance']);
      expect(await resumed.exited, resumed.output.join('')).toBe(0);
      const printed = resumed.output.join('');
      expect(printed).toContain('resuming move 1 (copying)');
      expect(printed).toContain('moved 1024-2048 to shard 2');
      expect(printed).toContain('moved 3072-4096 to shard 3');

      await new Promise((resolve) => setTimeout(resolve, 500));
      const acknowledged = await load.stop();
      await app.close();

      // Every row once, on the shard the map names; nothing of the move left behind.
      const map = await loadShardMap(pool);
      expect(map.version).toBe(3);
      expect(map.counts()).toEqual([1024, 1024, 1024, 1024]);
      expect(await misplacedRows(pool)).toEqual([]);
      for (const shard of pool.shards) {
        const triggers = await sql<{ name: string }>`
          select trigger_name as name from information_schema.triggers
          where trigger_schema = database() and trigger_name like 'll\\_capture\\_%'`.execute(shard.db);
        expect(triggers.rows, shard.label).toEqual([]);
        const changes = await shard.db.selectFrom('shard_move_changes').select('id').execute();
        expect(changes, shard.label).toEqual([]);
      }
      const moves = await pool.shards[0]?.db
        .selectFrom('shard_moves')
        .select(['phase'])
        .orderBy('id')
        .execute();
      expect(moves?.map((move) => move.phase)).toEqual(['done', 'done']);

      // Nothing that existed before the move is missing after it.
      const after = {
        users: await keysOf(pool, 'users'),
        bookings: await keysOf(pool, 'bookings'),
        events: await keysOf(pool, 'booking_events'),
      };
      for (const table of ['users', 'bookings', 'events'] as const) {
        expect(
          [...before[table]].filter((key) => !after[table].has(key)),
          table,
        ).toEqual([]);
      }

      // A process started now routes by the new map: every acknowledged write is there.
      expect(acknowledged.users.length).toBeGreaterThan(10);
      expect(acknowledged.bookings.size).toBeGreaterThan(10);
      const reader = await env.start({ roles: ['api'] });
      for (const user of acknowledged.users) {
        const login = await reader.http.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: user.email, password: user.password },
        });
        expect(login.statusCode, user.email).toBe(200);
      }
      let delivered = 0;
      for (const [bookingId, { token, statuses }] of acknowledged.bookings) {
        const read = await reader.http.inject({
          method: 'GET',
          url: `/v1/bookings/${bookingId}`,
          headers: bearer(token),
        });
        expect(read.statusCode, bookingId).toBe(200);
        const events = await reader.http.inject({
          method: 'GET',
          url: `/v1/bookings/${bookingId}/events`,
          headers: bearer(token),
        });
        const seen = new Set(
          events.json<{ items: { status: BookingStatus }[] }>().items.map((event) => event.status),
        );
        expect(
          statuses.filter((status) => !seen.has(status)),
          bookingId,
        ).toEqual([]);
        if (statuses.includes('delivered')) {
          delivered += 1;
        }
      }
      expect(delivered).toBeGreaterThan(0);
    },
  );

  it(
    'abort undoes a move stopped mid-copy: the map stays, the partial copy and the change capture are gone, the source takes writes again',
    { timeout: 120_000 },
    async () => {
      const env = await TestEnvironment.create('reshard-abort', { shards: 3 });
      cleanup.push(() => env.destroy());
      const urls = (env.env.DATABASE_SHARDS ?? '').split(',');
      const seeding = await env.start({ env: { DATABASE_SHARDS: urls.slice(0, 2).join(',') } });
      const job = await seeding.services.generation.service.start('users', 1_500);
      await waitFor(
        async () => (await seeding.services.generation.service.status(job.id)).state === 'completed',
        60_000,
        50,
      );
      await seeding.close();
      const pool = createShardPool(env.config());
      cleanup.push(() => pool.close());
      const shard0 = pool.shards[0];
      const target = pool.shards[2];
      if (shard0 === undefined || target === undefined) {
        throw new Error('three shards expected');
      }

      const killed = runMover(env.env, ['move', '--range', '0-1024', '--to', '2']);
      await waitFor(
        async () => {
          const move = await shard0.db.selectFrom('shard_moves').select('copied_rows').executeTakeFirst();
          return (move?.copied_rows ?? 0) >= 100;
        },
        60_000,
        10,
      );
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(await target.db.selectFrom('users').select('id').executeTakeFirst()).toBeDefined();

      const printed: string[] = [];
      await runShardCommand({ pool, out: { write: (text: string) => printed.push(text) } }, ['abort']);
      expect(printed.join('')).toContain('aborted move 1: logical shards 0-1024 stay on shard 0');

      const map = await loadShardMap(pool);
      expect(map.version).toBe(1);
      expect(map.counts()).toEqual([2048, 2048, 0]);
      expect(await target.db.selectFrom('users').select('id').execute()).toEqual([]);
      expect(await misplacedRows(pool)).toEqual([]);
      const triggers = await sql<{ name: string }>`
        select trigger_name as name from information_schema.triggers
        where trigger_schema = database() and trigger_name like 'll\\_capture\\_%'`.execute(shard0.db);
      expect(triggers.rows).toEqual([]);
      expect((await shard0.db.selectFrom('shard_moves').select('phase').executeTakeFirst())?.phase).toBe(
        'aborted',
      );

      // The range takes writes on its shard again (no guard left refusing it), and a new move may start.
      const row = {
        id: encodeId({ timestampMs: Date.now(), logicalShard: 100, node: 7, sequence: 0 }),
        email: 'after-abort@example.com',
        password_hash: 'x',
        name: 'After Abort',
        phone: null,
        role: 'customer' as const,
        status: 'active' as const,
        created_at: 0,
        updated_at: 0,
      };
      await shard0.db.insertInto('users').values(row).execute();
      await shard0.db.deleteFrom('users').where('id', '=', row.id).execute();
      await runShardCommand({ pool, out: { write: (text: string) => printed.push(text) } }, [
        'move',
        '--range',
        '0-1024',
        '--to',
        '2',
      ]);
      expect((await loadShardMap(pool)).counts()).toEqual([1024, 2048, 1024]);
      expect(await misplacedRows(pool)).toEqual([]);
    },
  );
});

describe.runIf(!isCluster)('moving logical shards (embedded)', () => {
  it('lists the map and refuses a move with a message: every shard is a file of one process', async () => {
    const env = await TestEnvironment.create('reshard-embedded', { shards: 2 });
    const pool = createShardPool(env.config());
    const printed: string[] = [];
    const out = { write: (text: string) => printed.push(text) };
    try {
      await runShardCommand({ pool, out }, ['list']);
      expect(printed.join('')).toContain('shard_0: 2048 logical shards (0-2048)');
      await expect(runShardCommand({ pool, out }, ['move', '--range', '0-10', '--to', '1'])).rejects.toThrow(
        /needs cluster mode/,
      );
    } finally {
      await pool.close();
      await env.destroy();
    }
  });
});
