import * as hdr from 'hdr-histogram-js';

/** Latencies are recorded in microseconds, up to a minute, to 3 significant digits. */
function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export interface RouteSummary {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
  /** 409 answers by error code: expected outcomes of races, not errors. */
  conflicts: Record<string, number>;
  /** Requests sent without an answer (timeouts, dropped connections). */
  lost: number;
}

class RouteStats {
  readonly histogram = newHistogram();
  readonly statuses = new Map<number, number>();
  readonly conflicts = new Map<string, number>();
  lost = 0;
}

/**
 * Per-route latency and status counts, grouped by route template
 * (`GET /v1/bookings/:id`), plus one histogram over every answer.
 */
export class LatencyRecorder {
  private readonly routes = new Map<string, RouteStats>();
  private readonly all = newHistogram();

  private route(name: string): RouteStats {
    let stats = this.routes.get(name);
    if (stats === undefined) {
      stats = new RouteStats();
      this.routes.set(name, stats);
    }
    return stats;
  }

  record(route: string, status: number, durationMs: number): void {
    const stats = this.route(route);
    const micros = Math.max(1, Math.round(durationMs * 1000));
    stats.histogram.recordValue(micros);
    this.all.recordValue(micros);
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
  }

  conflict(route: string, code: string): void {
    const stats = this.route(route);
    stats.conflicts.set(code, (stats.conflicts.get(code) ?? 0) + 1);
  }

  lost(route: string): void {
    this.route(route).lost += 1;
  }

  get answered(): number {
    return this.all.totalCount;
  }

  /** Answers with this status class (e.g. 5 for 5xx). */
  countClass(statusClass: number): number {
    let count = 0;
    for (const stats of this.routes.values()) {
      for (const [status, n] of stats.statuses) {
        if (Math.floor(status / 100) === statusClass) {
          count += n;
        }
      }
    }
    return count;
  }

  countStatus(status: number): number {
    let count = 0;
    for (const stats of this.routes.values()) {
      count += stats.statuses.get(status) ?? 0;
    }
    return count;
  }

  get lostTotal(): number {
    let count = 0;
    for (const stats of this.routes.values()) {
      count += stats.lost;
    }
    return count;
  }

  overall(seconds: number): { rps: number; p50Ms: number; p99Ms: number; maxMs: number } {
    return {
      rps: round1(this.all.totalCount / seconds),
      p50Ms: ms(this.all.getValueAtPercentile(50)),
      p99Ms: ms(this.all.getValueAtPercentile(99)),
      maxMs: ms(this.all.maxValue),
    };
  }

  summary(seconds: number): Record<string, RouteSummary> {
    const result: Record<string, RouteSummary> = {};
    for (const [name, stats] of [...this.routes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      result[name] = {
        requests: stats.histogram.totalCount,
        rps: round1(stats.histogram.totalCount / seconds),
        p50Ms: ms(stats.histogram.getValueAtPercentile(50)),
        p99Ms: ms(stats.histogram.getValueAtPercentile(99)),
        maxMs: ms(stats.histogram.maxValue),
        statuses: Object.fromEntries(
          [...stats.statuses.entries()].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]),
        ),
        conflicts: Object.fromEntries(stats.conflicts),
        lost: stats.lost,
      };
    }
    return result;
  }
}

function ms(micros: number): number {
  return Math.round(micros / 10) / 100;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** A fixed-width table of per-route figures. */
export function formatRoutes(routes: Record<string, RouteSummary>): string {
  const rows = Object.entries(routes).map(([name, r]) => [
    name,
    r.rps.toFixed(1),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    Object.entries(r.statuses)
      .map(([status, count]) => `${status}:${count}`)
      .join(' ') + (r.lost > 0 ? ` lost:${r.lost}` : ''),
    Object.entries(r.conflicts)
      .map(([code, count]) => `${code}:${count}`)
      .join(' '),
  ]);
  const header = ['route', 'req/s', 'p50 ms', 'p99 ms', 'statuses', '409 codes'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        column >= 1 && column <= 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
