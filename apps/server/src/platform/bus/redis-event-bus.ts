import { createLogger, type Logger } from '../../lib/logger';
import {
  closeRedis,
  createRedis,
  duplicateRedis,
  failFastOnceReady,
  isClusterUrl,
  waitForRedis,
  type RedisClient,
} from '../redis';
import { deliverMessage, encodeMessage } from './bus-codec';
import type { BusHandler, EventBus } from './event-bus.port';

export interface RedisEventBusOptions {
  /** Receives handler failures and connection errors (default: a warn-level logger). */
  logger?: Logger;
  /** A publish (or subscribe) with no reply within this fails instead of waiting on a hung Redis. */
  commandTimeoutMs?: number;
}

interface ChannelEntry {
  /** One object per subscription, so the same function may be subscribed twice. */
  subscriptions: Set<{ handler: BusHandler }>;
  /** Settles when Redis has answered the SUBSCRIBE. */
  confirmed: Promise<void>;
}

/**
 * The cluster-mode event bus over Redis pub/sub. It opens its own two
 * connections (a connection in subscriber mode can do nothing else) and closes
 * them in `close()`. Channels are `<prefix><channel>`; all handlers of a channel
 * share one Redis subscription. On a Redis Cluster it uses sharded pub/sub
 * (SPUBLISH/SSUBSCRIBE): a channel lives on the node owning its slot, so its
 * messages keep their order and are not copied to every node.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly sharded: boolean;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  constructor(
    url: string,
    private readonly prefix: string,
    options: RedisEventBusOptions = {},
  ) {
    const logger = options.logger ?? createLogger('warn').child({ module: 'event-bus' });
    this.logger = logger;
    this.publisher = createRedis(url, 'loadline-bus-pub', {
      logger,
      commandTimeoutMs: options.commandTimeoutMs,
    });
    this.sharded = isClusterUrl(url);
    this.subscriber = duplicateRedis(this.publisher, 'loadline-bus-sub', {
      shardedSubscribers: this.sharded,
    });
    failFastOnceReady(this.subscriber);
    this.subscriber.on('error', (error: unknown) => {
      logger.warn({ err: error, redis: 'loadline-bus-sub' }, 'redis connection error');
    });
    this.subscriber.on(this.sharded ? 'smessage' : 'message', (channel: string, payload: string) => {
      this.dispatch(channel, payload);
    });
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.assertOpen();
    const fullChannel = this.prefix + channel;
    const payload = encodeMessage(message);
    await (this.sharded
      ? this.publisher.spublish(fullChannel, payload)
      : this.publisher.publish(fullChannel, payload));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    this.assertOpen();
    const fullChannel = this.prefix + channel;
    let entry = this.channels.get(fullChannel);
    if (entry === undefined) {
      entry = {
        subscriptions: new Set(),
        // Only once the connection is ready: a subscribe issued while it connects races ioredis's
        // ready check, which then fails with "Connection in subscriber mode" (ioredis #2037).
        confirmed: waitForRedis(this.subscriber).then(() =>
          (this.sharded
            ? this.subscriber.ssubscribe(fullChannel)
            : this.subscriber.subscribe(fullChannel)
          ).then(() => undefined),
        ),
      };
      this.channels.set(fullChannel, entry);
    }
    const subscription = { handler };
    entry.subscriptions.add(subscription);
    try {
      // A second handler of a channel still waits: it must not miss what the first gets.
      await entry.confirmed;
    } catch (error) {
      entry.subscriptions.delete(subscription);
      if (this.channels.get(fullChannel) === entry) {
        this.channels.delete(fullChannel);
      }
      throw error;
    }
    const subscribed = entry;
    let active = true;
    return async () => {
      if (!active) {
        return;
      }
      active = false;
      subscribed.subscriptions.delete(subscription);
      if (subscribed.subscriptions.size > 0 || this.channels.get(fullChannel) !== subscribed) {
        return;
      }
      this.channels.delete(fullChannel);
      if (this.closing === null) {
        await (this.sharded
          ? this.subscriber.sunsubscribe(fullChannel)
          : this.subscriber.unsubscribe(fullChannel));
      }
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.channels.clear();
      await Promise.all([closeRedis(this.subscriber), closeRedis(this.publisher)]);
    })();
    return this.closing;
  }

  private dispatch(fullChannel: string, payload: string): void {
    const entry = this.channels.get(fullChannel);
    if (entry === undefined) {
      return;
    }
    const channel = fullChannel.slice(this.prefix.length);
    // A copy, so handlers that unsubscribe while handling do not disturb the loop.
    for (const { handler } of [...entry.subscriptions]) {
      deliverMessage(handler, payload, channel, this.logger);
    }
  }

  private assertOpen(): void {
    if (this.closing !== null) {
      throw new Error('event bus is closed');
    }
  }
}
