/**
 * The ceiling: a bare Fastify server with one route doing one Redis GET, run
 * as its own process. What the mix reaches against what this reaches tells how
 * much the platform's own work costs on this machine.
 *
 *   node --import tsx apps/server/bench/http/ceiling-server.ts --port P --redis URL --key K
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  options: { port: { type: 'string' }, redis: { type: 'string' }, key: { type: 'string' } },
});
if (values.port === undefined || values.redis === undefined || values.key === undefined) {
  throw new Error('ceiling-server needs --port, --redis and --key');
}
const key = values.key;
const redis = new Redis(values.redis, { maxRetriesPerRequest: 1 });
const app = Fastify({ logger: false });

app.get('/ceiling', async () => ({ value: await redis.get(key) }));

await app.listen({ host: '127.0.0.1', port: Number(values.port) });

const stop = (): void => {
  void app.close().finally(() => {
    redis.disconnect();
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
