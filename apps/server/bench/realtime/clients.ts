import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as hdr from 'hdr-histogram-js';
import { NodeProcess, type Teardown } from '../support/processes';
import type { RealtimeDataset } from './dataset';
import {
  lineSplitter,
  type ClientConfig,
  type ClientMessage,
  type DrainedMessage,
  type ParentCommand,
  type ProgressMessage,
  type ReadyMessage,
  type ResultMessage,
} from './protocol';

export interface ClientsOptions {
  repoRoot: string;
  urls: string[];
  clients: number;
  rate: number;
  ackTimeoutMs: number;
  connectConcurrency: number;
  stamp: ClientConfig['stamp'];
  teardown: Teardown;
  /** Prefix of the client process names. */
  label: string;
}

/** How long the parent waits for each step of the clients before giving up. */
const READY_BASE_MS = 60_000;
const READY_PER_SOCKET_MS = 10;
const REPORT_WAIT_MS = 60_000;
/** A client exits by itself when the parent says nothing for this long between steps. */
const CLIENT_IDLE_EXIT_MS = 5 * 60_000;

interface Client {
  process: NodeProcess;
  ready: ReadyMessage | null;
  progress: ProgressMessage | null;
  drained: DrainedMessage | null;
  result: ResultMessage | null;
}

/**
 * The load-generator processes of one phase. Drivers are dealt over the
 * clients in turn, and over the server instances in turn; each watcher goes
 * to the client of its driver, and with several instances to its driver's
 * instance or another one in turn (with two, half of the deliveries cross
 * instances through the adapter).
 */
export class LoadClients {
  private readonly clients: Client[] = [];
  private readonly dir: string;
  private slowest = { deliveryMs: 0, ackMs: 0 };

  private constructor(private readonly options: ClientsOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadline-rt-'));
    options.teardown.add(`${options.label} config files`, () => {
      fs.rmSync(this.dir, { recursive: true, force: true });
      return Promise.resolve();
    });
  }

  static spawn(dataset: RealtimeDataset, options: ClientsOptions): LoadClients {
    const clients = new LoadClients(options);
    clients.start(dataset);
    return clients;
  }

  private start(dataset: RealtimeDataset): void {
    const { clients: count, urls, repoRoot, teardown, label } = this.options;
    const indexOf = new Map<string, number>();
    const configs: ClientConfig[] = Array.from({ length: count }, () => ({
      urls,
      drivers: [],
      watchers: [],
      rate: this.options.rate,
      connectConcurrency: this.options.connectConcurrency,
      ackTimeoutMs: this.options.ackTimeoutMs,
      stamp: this.options.stamp,
      idleExitMs: CLIENT_IDLE_EXIT_MS,
    }));
    dataset.drivers.forEach((driver, index) => {
      indexOf.set(driver.id, index);
      configs[index % count]?.drivers.push({
        id: driver.id,
        token: driver.token,
        lat: driver.home.lat,
        lng: driver.home.lng,
        instance: index % urls.length,
      });
    });
    dataset.watchers.forEach((watcher, index) => {
      const driverIndex = indexOf.get(watcher.driverId) ?? 0;
      configs[driverIndex % count]?.watchers.push({
        token: watcher.token,
        bookingId: watcher.bookingId,
        driverId: watcher.driverId,
        instance: (driverIndex + Math.floor(index / urls.length)) % urls.length,
      });
    });
    configs.forEach((config, index) => {
      const file = path.join(this.dir, `client-${index}.json`);
      fs.writeFileSync(file, JSON.stringify(config));
      const child = new NodeProcess(
        `${label}#${index}`,
        ['--import', 'tsx', 'apps/server/bench/realtime/load-client.ts', file],
        { cwd: repoRoot, env: process.env, stdin: 'pipe' },
      );
      teardown.add(child.name, () => child.stop(5_000));
      const client: Client = { process: child, ready: null, progress: null, drained: null, result: null };
      child.child.stdout?.on(
        'data',
        lineSplitter((line) => {
          if (!line.startsWith('{')) {
            return;
          }
          const message = JSON.parse(line) as ClientMessage;
          switch (message.type) {
            case 'ready':
              client.ready = message;
              break;
            case 'progress':
              client.progress = message;
              this.slowest.deliveryMs = Math.max(this.slowest.deliveryMs, message.slowestDeliveryMs);
              this.slowest.ackMs = Math.max(this.slowest.ackMs, message.slowestAckMs);
              break;
            case 'drained':
              client.drained = message;
              break;
            case 'result':
              client.result = message;
              break;
          }
        }),
      );
      this.clients.push(client);
    });
  }

  get pids(): number[] {
    return this.clients.map((client) => client.process.child.pid ?? 0).filter((pid) => pid > 0);
  }

  get sockets(): number {
    return this.clients.reduce(
      (sum, client) => sum + (client.ready?.drivers ?? 0) + (client.ready?.watchers ?? 0),
      0,
    );
  }

  /** Waits until every client has connected its sockets (or given up on some). */
  async ready(totalSockets: number): Promise<ReadyMessage[]> {
    await this.waitFor(
      'ready',
      (client) => client.ready !== null,
      READY_BASE_MS + totalSockets * READY_PER_SOCKET_MS,
    );
    return this.clients.map((client) => client.ready as ReadyMessage);
  }

  begin(command: Extract<ParentCommand, { type: 'start' }>): void {
    this.tell(command);
  }

  /** The slowest delivery and ack any client reported since the last call, in ms; starts over. */
  takeSlowest(): { deliveryMs: number; ackMs: number } {
    const slowest = this.slowest;
    this.slowest = { deliveryMs: 0, ackMs: 0 };
    return slowest;
  }

  /** The latest cumulative counts of every client, summed. */
  progress(): { sent: number; acked: number; received: number; connected: number } {
    const sum = { sent: 0, acked: 0, received: 0, connected: 0 };
    for (const client of this.clients) {
      sum.sent += client.progress?.sent ?? 0;
      sum.acked += client.progress?.acked ?? 0;
      sum.received += client.progress?.received ?? 0;
      sum.connected += client.progress?.connected ?? client.ready?.connected ?? 0;
    }
    return sum;
  }

  async drained(timeoutMs: number): Promise<number> {
    await this.waitFor('drained', (client) => client.drained !== null, timeoutMs);
    return this.clients.reduce((sum, client) => sum + (client.drained?.pendingAcks ?? 0), 0);
  }

  /** Asks for the results, waits for them, and for the clients to exit. */
  async results(): Promise<ResultMessage[]> {
    this.tell({ type: 'report' });
    await this.waitFor('result', (client) => client.result !== null, REPORT_WAIT_MS);
    await Promise.all(this.clients.map((client) => client.process.stop(10_000)));
    return this.clients.map((client) => client.result as ResultMessage);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.process.stop(5_000)));
  }

  private tell(command: ParentCommand): void {
    for (const client of this.clients) {
      client.process.child.stdin?.write(`${JSON.stringify(command)}\n`);
    }
  }

  private async waitFor(what: string, done: (client: Client) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.clients.every(done)) {
        return;
      }
      const dead = this.clients.find((client) => !done(client) && !client.process.running);
      if (dead !== undefined) {
        throw new Error(`${dead.process.name} exited before "${what}":\n${dead.process.lastLines()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`load clients not "${what}" after ${timeoutMs} ms`);
      }
      this.options.teardown.assertActive();
      await sleep(50);
    }
  }
}

function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export interface MergedResults {
  sent: number;
  scheduled: number;
  okAcksInWindow: number;
  accepted: number;
  stale: number;
  coalesced: number;
  rejected: Record<string, number>;
  rejectedSamples: Record<string, string>;
  timeouts: number;
  lateAcks: number;
  ack: Percentiles;
  delivery: Percentiles;
  tracked: number;
  deliveries: number;
  deliveriesOutside: number;
  lost: number;
  driversWithLoss: number;
  extra: number;
  unmatched: number;
  connectedAtEnd: number;
  disconnects: Record<string, number>;
  scheduleLagMaxMs: number;
  clientCpuPercent: number[];
  clientRssMb: number[];
}

/** Latency figures; null when nothing was recorded. */
export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

function percentiles(histogram: hdr.Histogram): Percentiles {
  const empty = histogram.totalCount === 0;
  const ms = (micros: number): number | null => (empty ? null : Math.round(micros / 10) / 100);
  return {
    count: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p90Ms: ms(histogram.getValueAtPercentile(90)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    maxMs: ms(histogram.maxValue),
  };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) {
    into[key] = (into[key] ?? 0) + value;
  }
}

const SUMMED = [
  'sent',
  'scheduled',
  'okAcksInWindow',
  'accepted',
  'stale',
  'coalesced',
  'timeouts',
  'lateAcks',
  'tracked',
  'deliveries',
  'deliveriesOutside',
  'lost',
  'driversWithLoss',
  'extra',
  'unmatched',
  'connectedAtEnd',
] as const;

/** Sums the clients' results and merges their histograms. */
export function mergeResults(results: readonly ResultMessage[]): MergedResults {
  const ack = newHistogram();
  const delivery = newHistogram();
  const merged: MergedResults = {
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
    ack: percentiles(ack),
    delivery: percentiles(delivery),
    tracked: 0,
    deliveries: 0,
    deliveriesOutside: 0,
    lost: 0,
    driversWithLoss: 0,
    extra: 0,
    unmatched: 0,
    connectedAtEnd: 0,
    disconnects: {},
    scheduleLagMaxMs: 0,
    clientCpuPercent: [],
    clientRssMb: [],
  };
  for (const result of results) {
    for (const key of SUMMED) {
      merged[key] += result[key];
    }
    addCounts(merged.rejected, result.rejected);
    merged.rejectedSamples = { ...result.rejectedSamples, ...merged.rejectedSamples };
    addCounts(merged.disconnects, result.disconnects);
    merged.scheduleLagMaxMs = Math.max(merged.scheduleLagMaxMs, result.scheduleLagMaxMs);
    merged.clientCpuPercent.push(result.cpuPercent);
    merged.clientRssMb.push(result.rssMb);
    ack.add(hdr.decodeFromCompressedBase64(result.ackHistogram));
    delivery.add(hdr.decodeFromCompressedBase64(result.deliveryHistogram));
  }
  merged.ack = percentiles(ack);
  merged.delivery = percentiles(delivery);
  return merged;
}
