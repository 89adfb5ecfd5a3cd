import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { GENERATED_ID_NODE, type IdNodeSource } from './ids';
import type { RedisClient } from '../redis';

/** A dead process's node number is free again this long after its last renewal. */
const LEASE_MS = 15_000;
const RENEW_MS = 1_000;
/**
 * A holder mints IDs only while its last confirmed renewal was sent less than
 * this long ago. It is what a newcomer waits out after Redis lost the leases,
 * and shorter than LEASE_MS, so a holder cut off from Redis stops minting
 * before its key can lapse and be taken.
 */
const VALID_MS = 3_000;
/**
 * A mint renews the lease itself when no renewal was sent for this long: an
 * event loop busy with I/O can hold its timers for seconds (libuv works up to
 * 48 rounds of ready sockets before it runs them), and requests still come.
 */
const LATE_RENEWAL_MS = 2 * RENEW_MS;
/** Clocks of two machines run at slightly different rates; this covers it. */
const SETTLE_MARGIN_MS = 250;

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

/*
 * The epoch key is created, with Redis's clock, by the first process that finds
 * it missing: on a new deployment, or after Redis lost its data (and with it
 * every lease). Returns { epoch start, Redis now } in milliseconds.
 */
const EPOCH_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local since = tonumber(redis.call('GET', KEYS[1]))
if since == nil then
  redis.call('SET', KEYS[1], now)
  since = now
end
return { since, now }`;

/** Where a deployment's lease epoch starts (Redis time in ms); set by the first process that finds it missing. */
export function leaseEpochKey(prefix: string): string {
  return `${prefix}idnode:epoch`;
}

/** The lease when it may mint at `now`, else null. */
function mintable(held: Held | null, now: number): Held | null {
  return held !== null && now >= held.usableFrom && now < held.validUntil ? held : null;
}

interface Held {
  node: number;
  key: string;
  /** performance.now() from which it may mint. */
  usableFrom: number;
  /** performance.now() until which it may mint, unless renewed. */
  validUntil: number;
}

/**
 * A node number for the ID generator, held in Redis so no two live processes of
 * a deployment mint with the same one, even across Redis losing its data.
 *
 * The lease is renewed every second and counts for three seconds after a
 * renewal was sent; past that (Redis unreachable) the process mints nothing and
 * ID-minting requests answer 503 `unavailable`. A renewal that finds the key
 * gone (Redis restarted or emptied) stops minting at once and leases a node
 * again, its old one if still free. Because a holder may go on minting for up
 * to three seconds after Redis lost its key, a node leased in the first three
 * seconds of a new epoch (the epoch key restarts with the data) is used only
 * once those seconds are over.
 */
export class NodeLease implements IdNodeSource {
  private readonly token = randomUUID();
  private held: Held | null = null;
  private lastNode: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private released = false;

  private constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  /** Leases a node and resolves once it may mint with it; keeps it (or a new one) until `release`. */
  static async acquire(redis: RedisClient, prefix: string, logger: Logger): Promise<NodeLease> {
    const lease = new NodeLease(redis, prefix, logger);
    const held = await lease.lease();
    if (held === null) {
      throw new Error(
        `all ${GENERATED_ID_NODE} ID node numbers are leased: too many processes share this deployment`,
      );
    }
    // Timers may fire a little early against performance.now(): wait until the moment has surely passed.
    for (
      let left = held.usableFrom - performance.now();
      left > 0;
      left = held.usableFrom - performance.now()
    ) {
      await sleep(Math.ceil(left) + 1);
    }
    // Waiting may have outlasted the first confirmation: confirm again before serving.
    await lease.renew();
    if (lease.node === null) {
      await lease.release();
      throw new Error('the ID node lease could not be confirmed in Redis');
    }
    lease.keepAlive();
    return lease;
  }

  /** The node this process holds now, or null while it may not mint. */
  get node(): number | null {
    return mintable(this.held, performance.now())?.node ?? null;
  }

  /**
   * The node to mint with; 503 `unavailable` (`id_node`) while no lease is held
   * and confirmed. Renews the lease when its timer is late.
   */
  current(): number {
    const now = performance.now();
    const held = mintable(this.held, now);
    if (held === null) {
      throw errors.unavailable('id_node');
    }
    // validUntil - VALID_MS is when the last confirmed renewal was sent.
    if (now - (held.validUntil - VALID_MS) >= LATE_RENEWAL_MS) {
      this.renewSoon();
    }
    return held.node;
  }

  private keyOf(node: number): string {
    return `${this.prefix}idnode:${node}`;
  }

  /** Takes a free node (the last one first), then learns how long it must wait before minting. */
  private async lease(): Promise<Held | null> {
    // Every node number but the one bulk generation keeps for itself.
    const leasable = GENERATED_ID_NODE;
    const start = this.lastNode ?? Math.floor(Math.random() * leasable);
    for (let offset = 0; offset < leasable; offset += 1) {
      const node = (start + offset) % leasable;
      const key = this.keyOf(node);
      const sentAt = performance.now();
      if ((await this.redis.set(key, this.token, 'PX', LEASE_MS, 'NX')) !== 'OK') {
        continue;
      }
      const [since, now] = (await this.redis.eval(EPOCH_SCRIPT, 1, leaseEpochKey(this.prefix))) as [
        number,
        number,
      ];
      // Redis's "now" was read before this line runs: counting the wait from here is the safe side.
      const wait = Math.max(0, since + VALID_MS + SETTLE_MARGIN_MS - now);
      const held: Held = { node, key, usableFrom: performance.now() + wait, validUntil: sentAt + VALID_MS };
      this.held = held;
      this.lastNode = node;
      return held;
    }
    return null;
  }

  private keepAlive(): void {
    this.timer = setInterval(() => this.renewSoon(), RENEW_MS);
    this.timer.unref();
  }

  /** Starts a renewal unless one is under way. */
  private renewSoon(): void {
    this.renewing ??= this.renew().finally(() => {
      this.renewing = null;
    });
  }

  private async renew(): Promise<void> {
    try {
      const held = this.held;
      if (held !== null) {
        const sentAt = performance.now();
        const renewed = await this.redis.eval(RENEW_SCRIPT, 1, held.key, this.token, LEASE_MS);
        if (renewed === 1) {
          held.validUntil = Math.max(held.validUntil, sentAt + VALID_MS);
          return;
        }
        this.held = null;
        this.logger.warn(
          { node: held.node },
          'ID node lease was lost; no IDs are minted until one is leased again',
        );
      }
      if (this.released) {
        return;
      }
      const leased = await this.lease();
      if (leased === null) {
        this.logger.error({ nodes: GENERATED_ID_NODE }, 'no ID node number is free; no IDs are minted');
      } else {
        this.logger.info({ node: leased.node }, 'ID node leased again');
      }
    } catch (error) {
      // Redis did not answer: the lease counts until its validity runs out, and is renewed when Redis is back.
      this.logger.warn({ err: error, node: this.held?.node }, 'ID node lease renewal failed');
    }
  }

  async release(): Promise<void> {
    this.released = true;
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.renewing;
    const held = this.held;
    this.held = null;
    if (held !== null) {
      await this.redis.eval(RELEASE_SCRIPT, 1, held.key, this.token).catch(() => undefined);
    }
  }
}
