export type BusHandler = (message: unknown) => void;

/**
 * Fire-and-forget publish/subscribe between processes. Messages are JSON values.
 * Delivery is at-most-once: anything that must not be lost goes through the
 * outbox and the job queue instead.
 */
export interface EventBus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Subscribes to one channel; the returned function unsubscribes. */
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
