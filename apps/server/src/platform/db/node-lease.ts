import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logger';
import { GENERATED_ID_NODE } from './ids';

const LEASE_MS = 30_000;
const RENEW_MS = 10_000;

const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * A node number for the ID generator, held in Redis so no two live processes of
 * a deployment share one. The lease is renewed while the process lives and
 * lapses 30 s after it dies.
 */
export class NodeLease {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly token: string,
    readonly node: number,
    private readonly logger: Logger,
  ) {}

  static async acquire(redis: Redis, prefix: string, logger: Logger): Promise<NodeLease> {
    const token = randomUUID();
    // Every node number but the one bulk generation keeps for itself.
    const leasable = GENERATED_ID_NODE;
    const start = Math.floor(Math.random() * leasable);
    for (let offset = 0; offset < leasable; offset += 1) {
      const node = (start + offset) % leasable;
      const key = `${prefix}idnode:${node}`;
      const taken = await redis.set(key, token, 'PX', LEASE_MS, 'NX');
      if (taken === 'OK') {
        const lease = new NodeLease(redis, key, token, node, logger);
        lease.keepAlive();
        return lease;
      }
    }
    throw new Error(`all ${leasable} ID node numbers are leased: too many processes share this deployment`);
  }

  private keepAlive(): void {
    this.timer = setInterval(() => {
      this.redis.eval(RENEW_SCRIPT, 1, this.key, this.token, LEASE_MS).then(
        (renewed) => {
          if (renewed !== 1) {
            this.logger.error({ node: this.node }, 'ID node lease was lost; IDs may collide until restart');
          }
        },
        (error: unknown) => this.logger.warn({ err: error, node: this.node }, 'ID node lease renewal failed'),
      );
    }, RENEW_MS);
    this.timer.unref();
  }

  async release(): Promise<void> {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.token).catch(() => undefined);
  }
}
