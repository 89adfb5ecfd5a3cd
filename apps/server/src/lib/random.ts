/** A closed range of numbers: `[min, max]`. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Seeded pseudo-random numbers (mulberry32): the simulator, bulk generation
 * and the benchmarks replay the same choices from the same seed. `fork` makes
 * an independent stream per purpose (a simulated person, a generation chunk),
 * so one stream's draws never shift another's.
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

  /** Integer in [min, max]. */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
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
  weighted<K extends string | number>(weights: ReadonlyMap<K, number> | Readonly<Record<K, number>>): K {
    const all: [K, number][] =
      weights instanceof Map
        ? [...(weights as ReadonlyMap<K, number>).entries()]
        : (Object.entries(weights) as [K, number][]);
    const entries = all.filter(([, weight]) => weight > 0);
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

const KM_PER_DEGREE_LAT = 111.32;

/** A point spread uniformly over the disc of `radiusKm` around `center`, to 6 decimals (about 10 cm). */
export function pointInDisc(
  random: Random,
  center: { lat: number; lng: number },
  radiusKm: number,
): { lat: number; lng: number } {
  const distance = radiusKm * Math.sqrt(random.next());
  const bearing = random.next() * 2 * Math.PI;
  const lat = center.lat + (distance * Math.cos(bearing)) / KM_PER_DEGREE_LAT;
  const lng =
    center.lng +
    (distance * Math.sin(bearing)) / (KM_PER_DEGREE_LAT * Math.cos((center.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}
