import { afterAll, beforeAll, it } from 'vitest';
import type { QueryExecutor, CompiledQuery } from 'kysely';
import { Redis } from 'ioredis';
import type { LoadlineApp } from '../app';
import { CITY, book, newCustomer, offset, onlineDriver, acceptOffer } from '../../test/support/fleet';
import { TestEnvironment } from '../../test/support/test-env';

let env: TestEnvironment;
let app: LoadlineApp;
beforeAll(async () => {
  env = await TestEnvironment.create('createcost', { env: { RATE_LIMITS: 'off' } });
  app = await env.start();
});
afterAll(async () => {
  await env.destroy();
});

it('logs', async () => {
  const pickup = offset(CITY, 50);
  const drivers = [];
  for (let i = 0; i < 5; i += 1) drivers.push(await onlineDriver(app, { at: offset(pickup, 0.1 * i) }));
  const customer = await newCustomer(app);
  await book(app, customer.token, { pickup, dropoff: offset(pickup, 4) });
  await new Promise((r) => setTimeout(r, 3000));
  const log: string[] = [];
  const shard = app.platform.router.shards[0]!;
  const proto = Object.getPrototypeOf(shard.db.getExecutor()) as QueryExecutor;
  const orig = proto.executeQuery;
  proto.executeQuery = function (this: QueryExecutor, q: CompiledQuery) {
    log.push('SQL ' + q.sql.slice(0, 140));
    return orig.call(this, q);
  } as QueryExecutor['executeQuery'];
  const rp = Redis.prototype as unknown as { sendCommand: (c: { name: string; args: unknown[] }, ...r: unknown[]) => unknown };
  const ro = rp.sendCommand;
  rp.sendCommand = function (this: unknown, c, ...r) {
    log.push('R ' + c.name + ' ' + c.args.map(String).join(' ').slice(0, 100));
    return ro.call(this, c, ...r);
  };
  const t0 = Date.now();
  const b = await book(app, customer.token, { pickup, dropoff: offset(pickup, 4) });
  log.push(`--- answered ${Date.now() - t0} ms`);
  await new Promise((r) => setTimeout(r, 1500));
  log.push('--- accept');
  await acceptOffer(app, drivers[0]!.token, b.id);
  log.push('--- accepted');
  await new Promise((r) => setTimeout(r, 1500));
  proto.executeQuery = orig;
  rp.sendCommand = ro;
  console.log(log.filter((l) => !l.includes('xread') && !l.includes('XREAD')).join('\n'));
});
