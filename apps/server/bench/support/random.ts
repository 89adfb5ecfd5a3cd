/** Seeded pseudo-random numbers (mulberry32): the same seed builds the same data set. */
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

  /** Integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) {
      throw new RangeError('pick from an empty list');
    }
    return item;
  }

  /** A key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
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

export interface Point {
  lat: number;
  lng: number;
}

/** Central Bengaluru. */
export const BENGALURU: Point = { lat: 12.9716, lng: 77.5946 };

const KM_PER_DEGREE_LAT = 111.32;

/** A point uniformly spread over the disc of `radiusKm` around `center`. */
export function pointNear(random: Random, center: Point, radiusKm: number): Point {
  const distance = radiusKm * Math.sqrt(random.next());
  const bearing = random.next() * 2 * Math.PI;
  const lat = center.lat + (distance * Math.cos(bearing)) / KM_PER_DEGREE_LAT;
  const lng =
    center.lng +
    (distance * Math.sin(bearing)) / (KM_PER_DEGREE_LAT * Math.cos((center.lat * Math.PI) / 180));
  return { lat: round6(lat), lng: round6(lng) };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
