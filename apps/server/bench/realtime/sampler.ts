import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** One reading of a server process. */
export interface Sample {
  /** Epoch ms. */
  at: number;
  /** CPU used since the previous sample, in % of one core. */
  cpuPercent: number;
  rssMb: number;
  /** Event-loop delay p99 since the previous scrape (null when /metrics did not answer). */
  lagP99Ms: number | null;
  /** Sockets the process reports open (null when /metrics did not answer). */
  sockets: number | null;
}

export interface ProcessStats {
  samples: number;
  cpuPercent: number;
  cpuMaxPercent: number;
  rssMb: number;
  rssMaxMb: number;
  lagP99MedianMs: number | null;
  lagP99MaxMs: number | null;
  sockets: number | null;
}

/** The Prometheus names to read the event-loop delay p99 (seconds) and the open sockets from. */
export interface MetricNames {
  lagP99: string;
  sockets: string;
}

export const LOADLINE_METRICS: MetricNames = {
  lagP99: 'loadline_nodejs_eventloop_lag_p99_seconds',
  sockets: 'loadline_socket_connections',
};

export const BASELINE_METRICS: MetricNames = {
  lagP99: 'baseline_eventloop_lag_p99_seconds',
  sockets: 'baseline_socket_connections',
};

let clockTicks: number | null = null;

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on practically every Linux). */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), which ends at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

function rssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
  if (match?.[1] === undefined) {
    return null;
  }
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/**
 * Samples one server process about once a second: CPU from /proc/<pid>/stat,
 * RSS from /proc/<pid>/status, and the event-loop delay p99 and open sockets
 * from its /metrics. Scraping resets the delay histogram there, so each
 * sample's p99 covers the second since the previous one.
 */
export class ProcessSampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last: { at: number; cpu: number } | null = null;
  private busy = false;

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
    return this.samples[this.samples.length - 1];
  }

  /** Figures over the samples taken in [from, to] (epoch ms). */
  stats(from: number, to: number): ProcessStats {
    const inWindow = this.samples.filter((sample) => sample.at > from && sample.at <= to);
    const cpu = inWindow.map((sample) => sample.cpuPercent);
    const rss = inWindow.map((sample) => sample.rssMb);
    const lags = inWindow.map((sample) => sample.lagP99Ms).filter((lag): lag is number => lag !== null);
    const sockets = inWindow.map((sample) => sample.sockets).filter((count): count is number => count !== null);
    return {
      samples: inWindow.length,
      cpuPercent: round(mean(cpu), 1),
      cpuMaxPercent: round(Math.max(0, ...cpu), 1),
      rssMb: rss[rss.length - 1] ?? 0,
      rssMaxMb: Math.max(0, ...rss),
      lagP99MedianMs: lags.length === 0 ? null : round(median(lags), 1),
      lagP99MaxMs: lags.length === 0 ? null : round(Math.max(...lags), 1),
      sockets: sockets.length === 0 ? null : Math.max(...sockets),
    };
  }

  private async sample(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      const at = Date.now();
      const cpu = cpuSeconds(this.pid);
      const rss = rssMb(this.pid);
      if (cpu === null || rss === null) {
        return;
      }
      const metrics = await this.scrape();
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

  private async scrape(): Promise<{ lagP99Ms: number | null; sockets: number | null }> {
    try {
      const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      const lag = metricValue(text, this.names.lagP99);
      return { lagP99Ms: lag === null ? null : round(lag * 1000, 2), sockets: metricValue(text, this.names.sockets) };
    } catch {
      return { lagP99Ms: null, sockets: null };
    }
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
