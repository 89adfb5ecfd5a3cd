import type { Logger } from '../../lib/logger';
import type { BusHandler } from './event-bus.port';

/** Encodes a bus message the way both adapters carry it; `undefined` travels as `null`, like in JSON. */
export function encodeMessage(message: unknown): string {
  const encoded = JSON.stringify(message) as string | undefined;
  return encoded ?? 'null';
}

/**
 * Hands one message to one handler: decoded afresh, so handlers never share a
 * mutable object, and with every failure (thrown or rejected) logged and
 * contained, so one bad handler cannot stop the others.
 */
export function deliverMessage(handler: BusHandler, payload: string, channel: string, logger: Logger): void {
  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch (error) {
    logger.warn({ err: error, channel }, 'dropped a bus message that is not JSON');
    return;
  }
  try {
    // Handlers are typed to return void, but async ones must not leak a rejection.
    const result: unknown = handler(message);
    if (result instanceof Promise) {
      void result.catch((error: unknown) => {
        logger.error({ err: error, channel }, 'event bus handler failed');
      });
    }
  } catch (error) {
    logger.error({ err: error, channel }, 'event bus handler failed');
  }
}
