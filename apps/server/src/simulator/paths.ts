import { haversineKm, KM_PER_DEGREE_LAT } from '@loadline/contracts';
import { pointInDisc, type Random } from '../lib/random';

export interface Point {
  lat: number;
  lng: number;
}

/** The disc the simulated city lives in. */
export interface Area {
  center: Point;
  radiusKm: number;
}

/** Central Bengaluru, 8 km around: the default city. */
export const DEFAULT_AREA: Area = { center: { lat: 12.9716, lng: 77.5946 }, radiusKm: 8 };

function radians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/** Great-circle distance in km, measured as the server measures it (the contracts' haversine). */
export function distanceKm(a: Point, b: Point): number {
  return haversineKm(a, b);
}

/** Initial compass bearing from `a` to `b`, in [0, 360). */
export function bearingDegrees(a: Point, b: Point): number {
  const dLng = radians(b.lng - a.lng);
  const y = Math.sin(dLng) * Math.cos(radians(b.lat));
  const x =
    Math.cos(radians(a.lat)) * Math.sin(radians(b.lat)) -
    Math.sin(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.cos(dLng);
  const degrees = (Math.atan2(y, x) * 180) / Math.PI;
  return (degrees + 360) % 360;
}

/** The point `fraction` of the way from `a` to `b` (clamped to [0, 1]); straight in lat/lng, fine at city scale. */
export function interpolate(a: Point, b: Point, fraction: number): Point {
  const f = Math.min(1, Math.max(0, fraction));
  return { lat: a.lat + (b.lat - a.lat) * f, lng: a.lng + (b.lng - a.lng) * f };
}

/** The point `northKm` north and `eastKm` east of `from`, on `distanceKm`'s sphere: 1 km measures 1 km. */
export function offsetKm(from: Point, northKm: number, eastKm: number): Point {
  return {
    lat: from.lat + northKm / KM_PER_DEGREE_LAT,
    lng: from.lng + eastKm / (KM_PER_DEGREE_LAT * Math.cos(radians(from.lat))),
  };
}

export function isInArea(point: Point, area: Area): boolean {
  return distanceKm(point, area.center) <= area.radiusKm;
}

/** A point spread uniformly over the area's disc. */
export function pointInArea(random: Random, area: Area): Point {
  return pointInDisc(random, area.center, area.radiusKm);
}

/**
 * A point in the area whose distance from `from` is within `[minKm, maxKm]`
 * when one is found in a few tries (a small area may not allow it); otherwise
 * any point of the area.
 */
export function pointAtDistance(
  random: Random,
  area: Area,
  from: Point,
  minKm: number,
  maxKm: number,
): Point {
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const distance = random.between(minKm, maxKm);
    const bearing = random.next() * 2 * Math.PI;
    const candidate = offsetKm(from, distance * Math.cos(bearing), distance * Math.sin(bearing));
    if (isInArea(candidate, area)) {
      return candidate;
    }
  }
  return pointInArea(random, area);
}

/** Rounds to 6 decimals (about 10 cm), as a phone's GPS would report. */
export function roundPoint(point: Point): Point {
  return { lat: Math.round(point.lat * 1e6) / 1e6, lng: Math.round(point.lng * 1e6) / 1e6 };
}

/** Parses `lat,lng,radiusKm` (the `--area` flag). */
export function parseArea(raw: string): Area {
  const parts = raw.split(',').map((part) => Number(part.trim()));
  const [lat, lng, radiusKm] = parts;
  if (
    parts.length !== 3 ||
    lat === undefined ||
    lng === undefined ||
    radiusKm === undefined ||
    !parts.every(Number.isFinite)
  ) {
    throw new Error(`--area must look like lat,lng,radiusKm (e.g. 12.9716,77.5946,8), got "${raw}"`);
  }
  if (Math.abs(lat) > 80 || Math.abs(lng) > 180) {
    throw new Error(`--area centre must have |lat| <= 80 and |lng| <= 180, got "${raw}"`);
  }
  if (radiusKm < 0.5 || radiusKm > 100) {
    throw new Error(`--area radius must be between 0.5 and 100 km, got ${radiusKm}`);
  }
  return { center: { lat, lng }, radiusKm };
}

/** Where a moving vehicle is at one instant. */
export interface Fix {
  point: Point;
  /** Direction of travel in [0, 360); that of the last leg once arrived. */
  heading: number;
  arrived: boolean;
}

/**
 * A drive along a polyline at constant speed, positioned by elapsed time.
 * The simulator never steps a position by hand: every ping asks where the
 * vehicle is now, so late timers never make it jump or stall.
 */
export class Route {
  private readonly cumulativeKm: number[];
  readonly lengthKm: number;

  /**
   * @param points at least one point; the first is where the drive starts.
   * @param kmPerMs distance covered per millisecond of wall time (speed x time scale).
   */
  constructor(
    readonly points: readonly Point[],
    private readonly kmPerMs: number,
    readonly startedAt: number,
  ) {
    if (points.length === 0) {
      throw new RangeError('a route needs at least one point');
    }
    if (!(kmPerMs > 0)) {
      throw new RangeError('a route needs a positive speed');
    }
    this.cumulativeKm = [0];
    let total = 0;
    for (let i = 1; i < points.length; i += 1) {
      total += distanceKm(points[i - 1] as Point, points[i] as Point);
      this.cumulativeKm.push(total);
    }
    this.lengthKm = total;
  }

  /** A route that stays at `point`. */
  static parked(point: Point, at: number): Route {
    return new Route([point], 1, at);
  }

  get destination(): Point {
    return this.points[this.points.length - 1] as Point;
  }

  /** Wall-clock milliseconds from start to arrival. */
  get durationMs(): number {
    return this.lengthKm / this.kmPerMs;
  }

  get arrivesAt(): number {
    return this.startedAt + this.durationMs;
  }

  fixAt(now: number): Fix {
    const travelled = Math.max(0, now - this.startedAt) * this.kmPerMs;
    if (travelled >= this.lengthKm || this.points.length === 1) {
      return { point: this.destination, heading: this.headingOfLeg(this.points.length - 1), arrived: true };
    }
    let leg = 1;
    while (leg < this.points.length - 1 && (this.cumulativeKm[leg] as number) < travelled) {
      leg += 1;
    }
    const from = this.points[leg - 1] as Point;
    const to = this.points[leg] as Point;
    const legStart = this.cumulativeKm[leg - 1] as number;
    const legLength = (this.cumulativeKm[leg] as number) - legStart;
    const fraction = legLength === 0 ? 1 : (travelled - legStart) / legLength;
    return { point: interpolate(from, to, fraction), heading: this.headingOfLeg(leg), arrived: false };
  }

  /** Heading of the leg ending at `points[leg]`; 0 for a route with no legs. */
  private headingOfLeg(leg: number): number {
    for (let i = Math.min(leg, this.points.length - 1); i >= 1; i -= 1) {
      const from = this.points[i - 1] as Point;
      const to = this.points[i] as Point;
      if (distanceKm(from, to) > 0) {
        return bearingDegrees(from, to);
      }
    }
    return 0;
  }
}

/**
 * Waypoints from `from` to `to` that look like a drive through a street grid:
 * usually one or two turns (an L or a Z), sometimes straight, with a few
 * metres of wobble at each corner.
 */
export function planPath(random: Random, from: Point, to: Point): Point[] {
  const shape = random.next();
  if (shape < 0.2 || distanceKm(from, to) < 0.3) {
    return [from, to];
  }
  const nudge = (point: Point): Point =>
    offsetKm(point, random.between(-0.03, 0.03), random.between(-0.03, 0.03));
  if (shape < 0.6) {
    // An L: along one axis first, then the other.
    const corner = random.chance(0.5) ? { lat: from.lat, lng: to.lng } : { lat: to.lat, lng: from.lng };
    return [from, nudge(corner), to];
  }
  // A Z: part of the way along one axis, across, then the rest.
  const split = random.between(0.3, 0.7);
  if (random.chance(0.5)) {
    const lat = from.lat + (to.lat - from.lat) * split;
    return [from, nudge({ lat, lng: from.lng }), nudge({ lat, lng: to.lng }), to];
  }
  const lng = from.lng + (to.lng - from.lng) * split;
  return [from, nudge({ lat: from.lat, lng }), nudge({ lat: to.lat, lng }), to];
}

/** A few metres of GPS noise around `point`. */
export function withGpsNoise(random: Random, point: Point, metres: number): Point {
  const noisy = offsetKm(
    point,
    random.between(-metres, metres) / 1000,
    random.between(-metres, metres) / 1000,
  );
  return roundPoint(noisy);
}
