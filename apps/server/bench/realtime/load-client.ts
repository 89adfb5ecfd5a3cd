/**
 * One load-generator process of the realtime bench: owns a slice of the driver
 * sockets and the watchers of those drivers, pings at the configured rate,
 * counts acks and matches every `driverLocation` a watcher receives with the
 * ping it carries. Driven by the parent over stdin/stdout (see protocol.ts):
 *
 *   node --import tsx apps/server/bench/realtime/load-client.ts <config.json>
 *
 * It stops by itself: the run ends at the time the parent gave, and a client
 * that hears nothing from its parent (or sees its stdin close) exits.
 * Longer than ~400 lines: the pinging, the matching and the counting share
 * the per-socket state, which one file keeps private.
 */
import fs from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import { io as connect, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  DriverLocationEvent,
  ServerToClientEvents,
} from '@loadline/contracts';
import {
  lineSplitter,
  type ClientConfig,
  type ClientMessage,
  type ParentCommand,
  type ResultMessage,
  type StartCommand,
} from './protocol';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type LocationAck = Ack<{ accepted: boolean; coalesced?: boolean }>;

/** How often the ping schedule is looked at; each tick sends every ping due by then. */
const TICK_MS = 5;
const PROGRESS_MS = 1000;
const CONNECT_TIMEOUT_MS = 20_000;
/** Pings wander this far (degrees, about 100 m) around the driver's home. */
const JITTER_DEG = 0.001;

/** A ping of a watched driver, kept until its delivery and its ack are both in. */
interface TrackedPing {
  /** Epoch ms, fractional. */
  sentAt: number;
  inWindow: boolean;
  /** null until the ack comes. */
  accepted: boolean | null;
  delivered: boolean;
}

interface DriverSlot {
  id: string;
  socket: ClientSocket | null;
  lat: number;
  lng: number;
  /** Pings of a watched driver by position (`lat,lng`); null when nobody watches it. */
  tracked: Map<string, TrackedPing> | null;
}

function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

function send(message: ClientMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function positionKey(lat: number, lng: number): string {
  return `${lat},${lng}`;
}

const configPath = process.argv[2];
if (configPath === undefined) {
  throw new Error('usage: load-client.ts <config.json>');
}
const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as ClientConfig;
const watchedIds = new Set(config.watchers.map((watcher) => watcher.driverId));

const drivers: DriverSlot[] = config.drivers.map((d) => ({
  id: d.id,
  socket: null,
  lat: d.lat,
  lng: d.lng,
  tracked: watchedIds.has(d.id) ? new Map() : null,
}));
const driversById = new Map(drivers.map((driver) => [driver.id, driver]));
const watcherSockets: ClientSocket[] = [];
const failures: Record<string, number> = {};
const disconnects: Record<string, number> = {};
let connected = 0;
let closing = false;

// --- Counters ------------------------------------------------------------
let windowFrom = Number.POSITIVE_INFINITY;
let endAt = Number.POSITIVE_INFINITY;
let sentTotal = 0;
let ackedTotal = 0;
let receivedTotal = 0;
let pending = 0;
let pendingInWindow = 0;
/** The slowest delivery and ack since the last progress message, in ms. */
let slowestDeliveryMs = 0;
let slowestAckMs = 0;
const driversWithLoss = new Set<string>();
const result: ResultMessage = {
  type: 'result',
  sent: 0,
  scheduled: 0,
  okAcksInWindow: 0,
  accepted: 0,
  stale: 0,
  coalesced: 0,
  rejected: {},
  rejectedSamples: {},
  timeouts: 0,
  lateAcks: 0,
  ackHistogram: '',
  deliveryHistogram: '',
  tracked: 0,
  deliveries: 0,
  deliveriesOutside: 0,
  lost: 0,
  driversWithLoss: 0,
  extra: 0,
  unmatched: 0,
  connectedAtEnd: 0,
  disconnects,
  scheduleLagMaxMs: 0,
  cpuPercent: 0,
  rssMb: 0,
};
const ackHistogram = newHistogram();
const deliveryHistogram = newHistogram();

// --- Connecting ----------------------------------------------------------
function open(url: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      connected += 1;
      socket.on('disconnect', (reason) => {
        connected -= 1;
        if (!closing) {
          bump(disconnects, reason);
        }
      });
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function urlOf(instance: number): string {
  const url = config.urls[instance % config.urls.length];
  if (url === undefined) {
    throw new Error('no server URL');
  }
  return url;
}

/** Matches a delivery with its ping; settles the ping when its ack is in too. */
function onDelivery(driver: DriverSlot | undefined, event: DriverLocationEvent): void {
  const receivedAt = nowMs();
  receivedTotal += 1;
  const key = positionKey(event.lat, event.lng);
  const ping = driver?.id === event.driverId ? driver.tracked?.get(key) : undefined;
  if (driver === undefined || ping === undefined || ping.delivered) {
    result.unmatched += 1;
    return;
  }
  ping.delivered = true;
  slowestDeliveryMs = Math.max(slowestDeliveryMs, receivedAt - ping.sentAt);
  if (ping.inWindow) {
    result.deliveries += 1;
    deliveryHistogram.recordValue(Math.max(1, Math.round((receivedAt - ping.sentAt) * 1000)));
  } else {
    result.deliveriesOutside += 1;
  }
  if (ping.accepted !== null) {
    settle(driver, key, ping);
  }
}

/** Both the ack and (if accepted) the delivery are in: count what needs counting and forget the ping. */
function settle(driver: DriverSlot, key: string, ping: TrackedPing): void {
  if (ping.delivered && ping.accepted === false) {
    result.extra += 1;
  }
  driver.tracked?.delete(key);
}

async function connectWatcher(index: number): Promise<boolean> {
  const spec = config.watchers[index];
  if (spec === undefined) {
    return false;
  }
  const socket = await open(urlOf(spec.instance), spec.token);
  watcherSockets.push(socket);
  const driver = driversById.get(spec.driverId);
  socket.on('driverLocation', (event) => onDelivery(driver, event));
  const ack = (await socket
    .timeout(CONNECT_TIMEOUT_MS)
    .emitWithAck('subscribeBooking', { bookingId: spec.bookingId })) as Ack;
  if (!ack.ok) {
    throw new Error(`subscribeBooking: ${ack.error.code}`);
  }
  return true;
}

async function connectDriver(index: number): Promise<void> {
  const spec = config.drivers[index];
  const slot = drivers[index];
  if (spec === undefined || slot === undefined) {
    return;
  }
  slot.socket = await open(urlOf(spec.instance), spec.token);
}

/** Runs `work` over 0..count-1 with at most `concurrency` at a time; failures are counted by message. */
async function pool(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  let succeeded = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      try {
        if ((await work(index)) !== false) {
          succeeded += 1;
        }
      } catch (error) {
        bump(failures, error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return succeeded;
}

// --- Pinging -------------------------------------------------------------
let jitterState = (0x9e3779b9 ^ process.pid) >>> 0 || 1;
function jitter(): number {
  // xorshift32: cheap and good enough to move a point around.
  jitterState ^= jitterState << 13;
  jitterState ^= jitterState >>> 17;
  jitterState ^= jitterState << 5;
  return ((jitterState >>> 0) / 4294967296 - 0.5) * 2 * JITTER_DEG;
}

function onAck(
  slot: DriverSlot,
  inWindow: boolean,
  startedAt: number,
  key: string | null,
  response: LocationAck,
): void {
  pending -= 1;
  ackedTotal += 1;
  const ackedAt = Date.now();
  const accepted = response.ok && response.accepted;
  if (accepted && ackedAt >= windowFrom && ackedAt < endAt) {
    result.okAcksInWindow += 1;
  }
  if (key !== null) {
    const ping = slot.tracked?.get(key);
    if (ping !== undefined) {
      ping.accepted = accepted;
      // Not accepted: no delivery is due. Accepted: forget it once delivered; until then it may still come.
      if (!accepted || ping.delivered) {
        settle(slot, key, ping);
      }
    }
  }
  const rttMs = performance.now() - startedAt;
  slowestAckMs = Math.max(slowestAckMs, rttMs);
  if (!inWindow) {
    return;
  }
  pendingInWindow -= 1;
  ackHistogram.recordValue(Math.max(1, Math.round(rttMs * 1000)));
  if (rttMs > config.ackTimeoutMs) {
    result.lateAcks += 1;
    result.timeouts += 1;
    return;
  }
  if (!response.ok) {
    bump(result.rejected, response.error.code);
    result.rejectedSamples[response.error.code] ??= response.error.message;
  } else if (response.accepted) {
    result.accepted += 1;
  } else if (response.coalesced === true) {
    result.coalesced += 1;
  } else {
    result.stale += 1;
  }
}

function ping(slot: DriverSlot): void {
  const socket = slot.socket;
  if (socket === null || !socket.connected) {
    return;
  }
  const sentAt = nowMs();
  const inWindow = sentAt >= windowFrom && sentAt < endAt;
  const startedAt = performance.now();
  const lat = Math.round((slot.lat + jitter()) * 1e6) / 1e6;
  const lng = Math.round((slot.lng + jitter()) * 1e6) / 1e6;
  let key: string | null = null;
  if (slot.tracked !== null) {
    const candidate = positionKey(lat, lng);
    // The same position twice in flight cannot be told apart: leave the second one untracked.
    if (!slot.tracked.has(candidate)) {
      key = candidate;
      slot.tracked.set(key, { sentAt, inWindow, accepted: null, delivered: false });
      if (inWindow) {
        result.tracked += 1;
      }
    }
  }
  pending += 1;
  sentTotal += 1;
  if (inWindow) {
    pendingInWindow += 1;
    result.sent += 1;
  }
  socket.emit(
    'driverLocationUpdate',
    {
      lat,
      lng,
      heading: Math.floor(Math.abs(jitter()) * 360_000) % 360,
      ...(config.stamp === 'client' ? { at: new Date(Math.floor(sentAt)).toISOString() } : {}),
    },
    (response: LocationAck) => onAck(slot, inWindow, startedAt, key, response),
  );
}

function run(command: StartCommand): Promise<void> {
  const { startAt, warmupMs, durationMs } = command;
  windowFrom = startAt + warmupMs;
  endAt = windowFrom + durationMs;
  const perMs = (drivers.length * config.rate) / 1000;
  let scheduled = 0;
  let cpuAtWindow: NodeJS.CpuUsage | null = null;
  let cpuWindowStarted = 0;
  return new Promise((resolve) => {
    const progress = setInterval(() => {
      send({
        type: 'progress',
        at: Date.now(),
        sent: sentTotal,
        acked: ackedTotal,
        received: receivedTotal,
        connected,
        slowestDeliveryMs: Math.round(slowestDeliveryMs),
        slowestAckMs: Math.round(slowestAckMs),
      });
      slowestDeliveryMs = 0;
      slowestAckMs = 0;
    }, PROGRESS_MS);
    const tick = setInterval(() => {
      const now = Date.now();
      if (now < startAt) {
        return;
      }
      if (cpuAtWindow === null && now >= windowFrom) {
        cpuAtWindow = process.cpuUsage();
        cpuWindowStarted = performance.now();
      }
      const due = Math.floor((Math.min(now, endAt) - startAt) * perMs);
      if (now >= windowFrom && scheduled < due) {
        // How late the oldest ping still to send is: the client's own delay, not the server's.
        const lag = now - (startAt + scheduled / perMs);
        result.scheduleLagMaxMs = Math.max(result.scheduleLagMaxMs, Math.round(lag));
      }
      while (scheduled < due) {
        const sendAt = startAt + scheduled / perMs;
        if (sendAt >= windowFrom && sendAt < endAt) {
          result.scheduled += 1;
        }
        const slot = drivers[scheduled % drivers.length];
        scheduled += 1;
        if (slot !== undefined) {
          ping(slot);
        }
      }
      if (now >= endAt) {
        clearInterval(tick);
        clearInterval(progress);
        if (cpuAtWindow !== null) {
          const used = process.cpuUsage(cpuAtWindow);
          const wallMs = performance.now() - cpuWindowStarted;
          result.cpuPercent = Math.round(((used.user + used.system) / 1000 / wallMs) * 1000) / 10;
        }
        resolve();
      }
    }, TICK_MS);
  });
}

/** Waits until every ack is in, or the ack timeout has passed since the end. */
async function drainAcks(): Promise<void> {
  const deadline = Date.now() + config.ackTimeoutMs;
  while (pending > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Accepted pings of the window still waiting for their delivery are lost. */
function countLosses(): void {
  for (const driver of drivers) {
    for (const ping of driver.tracked?.values() ?? []) {
      if (ping.inWindow && ping.accepted === true && !ping.delivered) {
        result.lost += 1;
        driversWithLoss.add(driver.id);
      }
    }
  }
  result.driversWithLoss = driversWithLoss.size;
}

// --- Lifecycle -----------------------------------------------------------
let idleTimer: NodeJS.Timeout | null = null;
function expectParentWithin(ms: number): void {
  if (idleTimer !== null) {
    clearTimeout(idleTimer);
  }
  idleTimer = setTimeout(() => {
    process.stderr.write(`load client: no word from the parent in ${ms} ms; exiting\n`);
    shutdown(3);
  }, ms);
}

function shutdown(code: number): void {
  closing = true;
  for (const socket of [...drivers.map((slot) => slot.socket), ...watcherSockets]) {
    socket?.disconnect();
  }
  process.exit(code);
}

let onStart: ((command: StartCommand) => void) | null = null;
let onReport: (() => void) | null = null;
process.stdin.on(
  'data',
  lineSplitter((line) => {
    const command = JSON.parse(line) as ParentCommand;
    if (idleTimer !== null) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    if (command.type === 'start') {
      onStart?.(command);
    } else {
      onReport?.();
    }
  }),
);
// The parent is gone (or closed our stdin): stop.
process.stdin.on('end', () => shutdown(0));
process.once('SIGTERM', () => shutdown(0));
process.once('SIGINT', () => shutdown(0));

async function main(): Promise<void> {
  const connectStarted = performance.now();
  const subscribed = await pool(config.watchers.length, config.connectConcurrency, connectWatcher);
  await pool(drivers.length, config.connectConcurrency, connectDriver);
  const start = new Promise<StartCommand>((resolve) => {
    onStart = resolve;
  });
  send({
    type: 'ready',
    drivers: drivers.length,
    watchers: config.watchers.length,
    connected,
    subscribed,
    failures,
    connectSeconds: Math.round((performance.now() - connectStarted) / 100) / 10,
  });
  expectParentWithin(config.idleExitMs);
  await run(await start);
  await drainAcks();
  const report = new Promise<void>((resolve) => {
    onReport = resolve;
  });
  send({ type: 'drained', pendingAcks: pending });
  expectParentWithin(config.idleExitMs);
  await report;
  countLosses();
  result.timeouts += pendingInWindow;
  result.connectedAtEnd = connected;
  result.ackHistogram = hdr.encodeIntoCompressedBase64(ackHistogram);
  result.deliveryHistogram = hdr.encodeIntoCompressedBase64(deliveryHistogram);
  result.rssMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
  send(result);
  shutdown(0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `load client failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  shutdown(1);
});
