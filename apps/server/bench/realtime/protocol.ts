/**
 * What the realtime bench and its load-client processes say to each other:
 * the client's work (a JSON file named on its command line), commands on its
 * stdin and reports on its stdout, one JSON object per line.
 *
 *   parent                                client
 *   spawn (config file)          ->       connects every socket, subscribes the watchers
 *                                <-       ready
 *   start (startAt, warm-up, measured)  -> pings at the rate until the end
 *                                <-       progress (about once a second)
 *                                <-       drained (every ack in, or the ack timeout passed)
 *   report (after the delivery drain)  -> result, then closes its sockets and exits
 */

/** One driver socket of a client. */
export interface ClientDriver {
  id: string;
  token: string;
  lat: number;
  lng: number;
  /** Index of the server instance to connect to. */
  instance: number;
}

/**
 * One watcher socket of a client: the customer of `bookingId`, whose driver is
 * `driverId`. A watcher lives in the client of its driver, so each delivery is
 * matched with the very ping it carries (send time, ack) in one process.
 */
export interface ClientWatcher {
  token: string;
  bookingId: string;
  driverId: string;
  instance: number;
}

export interface ClientConfig {
  /** Base URLs of the server instances. */
  urls: string[];
  drivers: ClientDriver[];
  watchers: ClientWatcher[];
  /** Pings per driver per second. */
  rate: number;
  /** Connections in flight at once while connecting. */
  connectConcurrency: number;
  /** An ack later than this counts as a timeout. */
  ackTimeoutMs: number;
  /** Put the send time in each ping's `at` (the contract's way), or leave `at` out so the server stamps its receipt time. */
  stamp: 'client' | 'server';
  /** The client exits by itself when the parent has said nothing for this long (a lost parent). */
  idleExitMs: number;
}

export interface StartCommand {
  type: 'start';
  /** Epoch ms of the first ping. */
  startAt: number;
  warmupMs: number;
  durationMs: number;
}

export type ParentCommand = StartCommand | { type: 'report' };

export interface ReadyMessage {
  type: 'ready';
  drivers: number;
  watchers: number;
  connected: number;
  subscribed: number;
  /** Connection and subscription failures by message. */
  failures: Record<string, number>;
  connectSeconds: number;
}

/** Cumulative counts since the start, about once a second. */
export interface ProgressMessage {
  type: 'progress';
  at: number;
  sent: number;
  acked: number;
  received: number;
  connected: number;
  /** The slowest send -> watcher delivery and send -> ack round trip since the previous progress, in ms (0: none). */
  slowestDeliveryMs: number;
  slowestAckMs: number;
}

export interface DrainedMessage {
  type: 'drained';
  pendingAcks: number;
}

export interface ResultMessage {
  type: 'result';
  /** Pings sent in the measured window (by send time). */
  sent: number;
  /** Pings the schedule called for in the measured window. */
  scheduled: number;
  /** Acks `{ ok: true, accepted: true }` received in the measured window (the server's completed updates). */
  okAcksInWindow: number;
  /** Of the pings sent in the window: acks with ok and accepted, ok but not accepted (stale), ok false, none in time. */
  accepted: number;
  stale: number;
  /** Acks `{ ok: true, coalesced: true }`: a newer ping of the driver replaced this one before any work (backpressure). */
  coalesced: number;
  rejected: Record<string, number>;
  /** One error message per rejection code, as the server worded it. */
  rejectedSamples: Record<string, string>;
  timeouts: number;
  /** Acks that came after the ack timeout (counted in `timeouts` too). */
  lateAcks: number;
  /** Send -> ack round trips in microseconds (hdr-histogram, compressed base64). */
  ackHistogram: string;
  /** Receive time - send time of the pings sent in the window, seen by their watcher, in microseconds. */
  deliveryHistogram: string;
  /** Watched pings sent in the window and tracked for delivery (an accepted one of these that never arrives is lost). */
  tracked: number;
  /** `driverLocation` events matched to a ping sent in the window, and to one sent before it (warm-up). */
  deliveries: number;
  deliveriesOutside: number;
  /** Accepted pings of the window whose `driverLocation` never reached the watcher, and the drivers they belong to. */
  lost: number;
  driversWithLoss: number;
  /** Deliveries of pings the ack did not accept, and events matching no ping of the watched driver (duplicates, strays). */
  extra: number;
  unmatched: number;
  connectedAtEnd: number;
  disconnects: Record<string, number>;
  /** Most the ping schedule ran late (the client's own event loop was busy), in ms. */
  scheduleLagMaxMs: number;
  /** This client's CPU use over the measured window, in % of one core, and its RSS at the end. */
  cpuPercent: number;
  rssMb: number;
}

export type ClientMessage = ReadyMessage | ProgressMessage | DrainedMessage | ResultMessage;

/** Splits a byte stream into lines and hands each non-empty one over. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') {
        onLine(line);
      }
      newline = buffered.indexOf('\n');
    }
  };
}
