import fs from 'node:fs';
import { processCpuSeconds, processMemoryMb, ticksPerSecond } from '../support/proc-stat';

/** One reading of a server process. */
export interface Sample {
  /** Epoch ms. */
  at: number;
  /** CPU used since the previous sample, in % of one core. */
  cpuPercent: number;
  rssMb: number;
  /**
   * Event-loop delay p99 since the previous scrape (null when not scraped this
   * time, or no answer). When no timer ran at all since then, the time since
   * the previous scrape: the loop held its timers at least that long.
   */
  lagP99Ms: number | null;
  /** Whether no timer ran between the previous scrape and this one (`lagP99Ms` is then a lower bound). */
  stalled: boolean;
  /** The longest the process's timers waited since the previous scrape, when it reports that. */
  timerWaitMs: number | null;
  /** Sockets the process reports open (null when not scraped this time, or no answer). */
  sockets: number | null;
  /** V8 heap in use and memory outside it (buffers), when scraped. */
  heapUsedMb: number | null;
  externalMb: number | null;
}

/**
 * /metrics is scraped on every fifth sample only, as a Prometheus would every
 * 15-30 s: the bench measures the server, not its scrapes. (The server's
 * metrics no longer walk every socket on a scrape, ADR 0044.)
 */
const SCRAPE_EVERY = 5;

/**
 * The shortest time between scrapes over which an empty delay histogram means
 * stalled timers: the histogram takes a reading every 10 ms while timers run.
 */
const STALL_MIN_MS = 1000;

type Scraped = Pick<Sample, 'lagP99Ms' | 'stalled' | 'timerWaitMs' | 'sockets' | 'heapUsedMb' | 'externalMb'>;
const NOT_SCRAPED: Scraped = {
  lagP99Ms: null,
  stalled: false,
  timerWaitMs: null,
  sockets: null,
  heapUsedMb: null,
  externalMb: null,
};

export interface ProcessStats {
  samples: number;
  cpuPercent: number;
  cpuMaxPercent: number;
  rssMb: number;
  rssMaxMb: number;
  lagP99MedianMs: number | null;
  lagP99MaxMs: number | null;
  /** Scrapes in the window that found no timer had run since the one before. */
  stalledScrapes: number;
  /** Scrapes in the window with an event-loop reading. */
  lagScrapes: number;
  /** The longest the timers waited over the window (null when the process does not report it). */
  timerWaitMaxMs: number | null;
  sockets: number | null;
  /** Last scraped V8 heap in use and external memory (null when not exposed). */
  heapUsedMb: number | null;
  externalMb: number | null;
}

/** The Prometheus names to read the event-loop delay p99 (seconds) and the open sockets from. */
export interface MetricNames {
  lagP99: string;
  timerWaitMax?: string;
  sockets: string;
  heapUsed?: string;
  external?: string;
}

export const LOADLINE_METRICS: MetricNames = {
  lagP99: 'loadline_nodejs_eventloop_lag_p99_seconds',
  timerWaitMax: 'loadline_event_loop_timer_wait_max_seconds',
  sockets: 'loadline_socket_connections',
  heapUsed: 'loadline_nodejs_heap_size_used_bytes',
  external: 'loadline_nodejs_external_memory_bytes',
};

export const BASELINE_METRICS: MetricNames = {
  lagP99: 'baseline_eventloop_lag_p99_seconds',
  sockets: 'baseline_socket_connections',
  heapUsed: 'baseline_heap_used_bytes',
  external: 'baseline_external_memory_bytes',
};

function rssMb(pid: number): number | null {
  return processMemoryMb(pid)?.rssMb ?? null;
}

function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
  if (match?.[1] === undefined) {
    return null;
  }
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/** The largest of the readings, null when there are none. */
export function maxOf(values: readonly (number | null)[]): number | null {
  const readings = values.filter((value): value is number => value !== null);
  return readings.length === 0 ? null : Math.max(...readings);
}

/**
 * A scraped event-loop delay p99 (seconds; null when absent or not a number)
 * as a reading: an empty histogram (p99 0) over `sinceMs` of a second or more
 * means no timer ran since the previous scrape, so the delay was at least
 * that long.
 */
export function lagReading(
  lagSeconds: number | null,
  sinceMs: number | null,
): Pick<Sample, 'lagP99Ms' | 'stalled'> {
  if (lagSeconds !== null && lagSeconds > 0) {
    return { lagP99Ms: round(lagSeconds * 1000, 2), stalled: false };
  }
  if (lagSeconds === 0 && sinceMs !== null && sinceMs >= STALL_MIN_MS) {
    return { lagP99Ms: sinceMs, stalled: true };
  }
  return { lagP99Ms: null, stalled: false };
}

/**
 * Samples one server process about once a second: CPU from /proc/<pid>/stat,
 * RSS from /proc/<pid>/status, and, every few seconds, the event-loop delay
 * p99 and open sockets from its /metrics. Scraping resets the delay histogram
 * there, so each scraped p99 covers the time since the previous scrape.
 */
export class ProcessSampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last: { at: number; cpu: number } | null = null;
  private busy = false;
  private count = 0;
  private lastScrape: Scraped = NOT_SCRAPED;
  /** When the previous scrape was answered (epoch ms): the delay histogram was reset then. */
  private lastAnsweredAt: number | null = null;

  constructor(
    readonly name: string,
    private readonly pid: number,
    private readonly metricsUrl: string,
    private readonly names: MetricNames,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  latest(): Sample | undefined {
    const sample = this.samples[this.samples.length - 1];
    // The last scraped figures stand in for the samples in between.
    return sample === undefined ? undefined : { ...sample, ...this.lastScrape };
  }

  /** Figures over the samples taken in (from, to] (epoch ms); the delay figures over the scrapes among them. */
  stats(from: number, to: number): ProcessStats {
    const inWindow = this.samples.filter((sample) => sample.at > from && sample.at <= to);
    const cpu = inWindow.map((sample) => sample.cpuPercent);
    const rss = inWindow.map((sample) => sample.rssMb);
    const lags = inWindow.map((sample) => sample.lagP99Ms).filter((lag): lag is number => lag !== null);
    const sockets = inWindow
      .map((sample) => sample.sockets)
      .filter((count): count is number => count !== null);
    return {
      samples: inWindow.length,
      cpuPercent: round(mean(cpu), 1),
      cpuMaxPercent: round(Math.max(0, ...cpu), 1),
      rssMb: rss[rss.length - 1] ?? 0,
      rssMaxMb: Math.max(0, ...rss),
      lagP99MedianMs: lags.length === 0 ? null : round(median(lags), 1),
      lagP99MaxMs: lags.length === 0 ? null : round(Math.max(...lags), 1),
      stalledScrapes: inWindow.filter((sample) => sample.stalled).length,
      lagScrapes: lags.length,
      timerWaitMaxMs: maxOf(inWindow.map((sample) => sample.timerWaitMs)),
      sockets: sockets.length === 0 ? null : Math.max(...sockets),
      heapUsedMb:
        inWindow
          .map((sample) => sample.heapUsedMb)
          .filter((v): v is number => v !== null)
          .pop() ?? null,
      externalMb:
        inWindow
          .map((sample) => sample.externalMb)
          .filter((v): v is number => v !== null)
          .pop() ?? null,
    };
  }

  private async sample(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      const at = Date.now();
      const cpu = processCpuSeconds(this.pid);
      const rss = rssMb(this.pid);
      if (cpu === null || rss === null) {
        return;
      }
      const scraping = this.count % SCRAPE_EVERY === 0;
      this.count += 1;
      const metrics = scraping ? await this.scrape() : NOT_SCRAPED;
      if (scraping) {
        this.lastScrape = metrics;
      }
      const cpuPercent =
        this.last === null ? 0 : ((cpu - this.last.cpu) / Math.max(0.001, (at - this.last.at) / 1000)) * 100;
      const first = this.last === null;
      this.last = { at, cpu };
      if (!first) {
        this.samples.push({ at, cpuPercent: round(cpuPercent, 1), rssMb: rss, ...metrics });
      }
    } finally {
      this.busy = false;
    }
  }

  private async scrape(): Promise<Scraped> {
    try {
      const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      const answeredAt = Date.now();
      const since = this.lastAnsweredAt === null ? null : answeredAt - this.lastAnsweredAt;
      this.lastAnsweredAt = answeredAt;
      const lag = lagReading(metricValue(text, this.names.lagP99), since);
      const mb = (name: string | undefined): number | null => {
        const bytes = name === undefined ? null : metricValue(text, name);
        return bytes === null ? null : Math.round(bytes / 1024 / 1024);
      };
      const timerWait =
        this.names.timerWaitMax === undefined ? null : metricValue(text, this.names.timerWaitMax);
      return {
        ...lag,
        timerWaitMs: timerWait === null ? null : round(timerWait * 1000, 1),
        sockets: metricValue(text, this.names.sockets),
        heapUsedMb: mb(this.names.heapUsed),
        externalMb: mb(this.names.external),
      };
    } catch {
      return NOT_SCRAPED;
    }
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** CPU time of the whole machine and of named groups of processes at one instant. */
export interface CpuSnapshot {
  at: number;
  /** Busy and total time of all cores, in seconds. */
  busy: number;
  total: number;
  /** Seconds of CPU used so far by each group of processes. */
  groups: Record<string, number>;
}

/** Pids of processes whose command name is `comm` (e.g. redis-server, mariadbd). */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

export function cpuSnapshot(groups: Record<string, readonly number[]>): CpuSnapshot {
  let busy = 0;
  let total = 0;
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    busy =
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
      ticksPerSecond();
    total = busy + ((idle ?? 0) + (iowait ?? 0)) / ticksPerSecond();
  } catch {
    // No /proc/stat: the machine-wide figures stay 0.
  }
  const used: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    used[name] = pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
  }
  return { at: Date.now(), busy, total, groups: used };
}

/**
 * Cores used between two snapshots: per group, by everything else on the
 * machine (other work skews a bench on shared cores), and in all.
 */
export function coresBetween(
  from: CpuSnapshot,
  to: CpuSnapshot,
): { groups: Record<string, number>; other: number; busy: number; cores: number } {
  const seconds = Math.max(0.001, (to.at - from.at) / 1000);
  const groups: Record<string, number> = {};
  let ours = 0;
  for (const [name, value] of Object.entries(to.groups)) {
    const cores = (value - (from.groups[name] ?? 0)) / seconds;
    groups[name] = round(cores, 2);
    ours += cores;
  }
  const busy = (to.busy - from.busy) / seconds;
  const cores = (to.total - from.total) / seconds;
  return { groups, other: round(Math.max(0, busy - ours), 2), busy: round(busy, 2), cores: round(cores, 1) };
}
