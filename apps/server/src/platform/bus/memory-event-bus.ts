import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../../lib/logger';
import { deliverMessage, encodeMessage } from './bus-codec';
import type { BusHandler, EventBus } from './event-bus.port';

export interface MemoryEventBusOptions {
  /** Receives handler failures (default: a warn-level logger). */
  logger?: Logger;
}

/**
 * The embedded-mode event bus. It behaves like the Redis one on purpose:
 * delivery is asynchronous (a handler never runs inside `publish`) and every
 * handler gets its own JSON copy, so code that works here works in cluster mode.
 */
export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  private readonly logger: Logger;
  private closed = false;

  constructor(options: MemoryEventBusOptions = {}) {
    this.logger = options.logger ?? createLogger('warn').child({ module: 'event-bus' });
    // Many sockets may listen on one channel; that is not a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(channel: string, message: unknown): Promise<void> {
    if (this.closed) {
      return Promise.reject(new Error('event bus is closed'));
    }
    let payload: string;
    try {
      payload = encodeMessage(message);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    queueMicrotask(() => {
      if (!this.closed) {
        this.emitter.emit(channel, payload);
      }
    });
    return Promise.resolve();
  }

  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.closed) {
      return Promise.reject(new Error('event bus is closed'));
    }
    // One listener per subscription, so subscribing the same function twice
    // means two deliveries and each unsubscribe removes exactly one.
    const listener = (payload: string): void => {
      deliverMessage(handler, payload, channel, this.logger);
    };
    this.emitter.on(channel, listener);
    return Promise.resolve(() => {
      this.emitter.off(channel, listener);
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}
