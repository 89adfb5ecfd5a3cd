/** A closed range of numbers: `[min, max]`. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Seeded pseudo-random numbers (mulberry32). Each simulated person draws from
 * its own stream (`fork`), so one agent's choices do not depend on how the
 * others' network calls happened to interleave, and a seed replays a run.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * An independent stream for `label` (e.g. "driver:3"). It depends on this
   * stream's current state, so fork before drawing (as the simulator does).
   */
  fork(label: string): Random {
    let hash = this.state ^ 0x811c9dc5;
    for (let i = 0; i < label.length; i += 1) {
      hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
    }
    return new Random(hash >>> 0);
  }

  /** Integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** A value in the range (uniform). */
  in(range: Range): number {
    return this.between(range.min, range.max);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Exponentially distributed with the given mean: the gaps of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) {
      throw new RangeError('pick from an empty list');
    }
    return item;
  }

  /** A key of `weights` with probability proportional to its weight. */
  weighted<K extends string | number>(weights: ReadonlyMap<K, number>): K {
    const entries = [...weights.entries()].filter(([, weight]) => weight > 0);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) {
        return key;
      }
    }
    const last = entries[entries.length - 1];
    if (last === undefined) {
      throw new RangeError('weighted pick from no weights');
    }
    return last[0];
  }
}
