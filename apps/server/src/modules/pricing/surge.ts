import { cellToBoundary, cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import { haversineKm, type VehicleType } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import type { Cache } from '../../platform/cache/cache.port';
import type { GeoIndex, GeoPoint } from '../../platform/geo/geo-index.port';
import { maxIndexableLat } from '../../platform/geo/memory-geo-index';
import { availableDriversSet } from '../drivers/available-drivers';
import { searchingBookingsSet } from '../bookings/searching-bookings';
import { BoundedMap } from '../../lib/bounded-map';

/**
 * How strongly excess demand raises the price: each searching booking beyond
 * the available drivers, per available driver, adds a quarter. Twice as many
 * bookings as drivers gives 1.25; five times as many gives 2.0.
 */
export const SURGE_SENSITIVITY = 0.25;

/** Time constant of the smoothing: after 2 minutes a change in demand shows through to 63 %. */
export const SURGE_TAU_MS = 120_000;

/**
 * Members read per set and search. Hits come nearest first, so a cap only
 * drops the far edge of an extreme crowd, which the multiplier's cap would
 * flatten anyway.
 */
const CANDIDATE_LIMIT = 1000;

/** After an hour without readings the old value carries no information; a cell then starts calm again. */
const STATE_TTL_SECONDS = 3600;

/**
 * How long a process reuses a reading of one vehicle type and cell. The
 * smoothing's time constant is two minutes, so a second moves the multiplier by
 * under 1 % of the gap, and a burst of quotes around one place costs one search.
 */
export const SURGE_REUSE_MS = 1000;

/** Readings and search circles kept per process; emptied when they grow past this. */
const MEMO_LIMIT = 10_000;

export interface SurgeReading {
  /** Smoothed, rounded to 2 decimals, within [1, cap]. */
  multiplier: number;
  /** Searching bookings in the pickup's cell and its ring. */
  demand: number;
  /** Available drivers in the pickup's cell and its ring. */
  supply: number;
  /** The pickup's H3 cell. */
  cell: string;
}

/**
 * The unsmoothed multiplier: 1 while drivers are at least as many as
 * searching bookings, then rising linearly with excess demand per driver
 * (an empty cell counts as one driver, so the first bookings do not divide by
 * zero), never above `cap`.
 */
export function rawSurge(demand: number, supply: number, sensitivity: number, cap: number): number {
  const ceiling = Math.max(1, cap);
  if (demand <= supply) {
    return 1;
  }
  const raised = 1 + ((demand - supply) / Math.max(supply, 1)) * sensitivity;
  return Math.min(ceiling, Math.max(1, raised));
}

/**
 * One step of an exponential moving average over irregular samples:
 * α = 1 - exp(-Δt/τ). A reading right after the last moves the value little
 * (a burst does not spike it); a reading long after takes the new raw value
 * almost whole. Negative Δt (clocks of two instances disagreeing) counts as 0.
 * The result always lies between `previous` and `raw`.
 */
export function smoothSurge(previous: number, raw: number, elapsedMs: number, tauMs: number): number {
  const alpha = 1 - Math.exp(-Math.max(0, elapsedMs) / tauMs);
  const next = previous + alpha * (raw - previous);
  // Floating point could step a hair past either end; the EMA never does.
  return Math.min(Math.max(previous, raw), Math.max(Math.min(previous, raw), next));
}

interface SmoothedState {
  value: number;
  at: number;
}

function parseState(text: string | null): SmoothedState | null {
  if (text === null) {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'value' in parsed &&
      'at' in parsed &&
      typeof parsed.value === 'number' &&
      typeof parsed.at === 'number' &&
      Number.isFinite(parsed.value) &&
      Number.isFinite(parsed.at)
    ) {
      return { value: parsed.value, at: parsed.at };
    }
  } catch {
    // A corrupt entry is treated like a missing one: the cell starts calm.
  }
  return null;
}

/** A circle around a cell's centre that holds its whole ring-1 disk, where the geo index can search. */
function searchCircle(cell: string, disk: readonly string[]): { center: GeoPoint; radiusKm: number } {
  const [lat, lng] = cellToLatLng(cell);
  const center = { lat, lng };
  let radiusKm = 0;
  for (const member of disk) {
    for (const [vertexLat, vertexLng] of cellToBoundary(member)) {
      radiusKm = Math.max(radiusKm, haversineKm(center, { lat: vertexLat, lng: vertexLng }));
    }
  }
  // A margin for the index's own rounding of positions (Redis GEO stores 52-bit geohashes).
  radiusKm = radiusKm * 1.01 + 0.01;
  if (Math.abs(center.lat) <= maxIndexableLat) {
    return { center, radiusKm };
  }
  // Geo indexes hold nothing beyond ±85.05°; search from the nearest indexable point, widened to cover the same disk.
  const clamped = { lat: Math.sign(center.lat) * maxIndexableLat, lng: center.lng };
  return { center: clamped, radiusKm: radiusKm + haversineKm(center, clamped) };
}

export interface SurgeEstimatorDeps {
  geo: GeoIndex;
  cache: Cache;
  clock: Clock;
  /** H3 resolution of the cells demand and supply are counted in. */
  resolution: number;
  /** Highest multiplier ever returned. */
  cap: number;
  sensitivity?: number;
  tauMs?: number;
}

/**
 * Surge from live demand and supply around the pickup: searching bookings and
 * available drivers in the pickup's H3 cell and the ring around it (so a
 * pickup near a cell's edge sees its neighbours), smoothed per vehicle type
 * and cell through the shared cache so every instance quotes alike.
 *
 * A cell with no history starts calm at 1.0. Two instances updating one cell
 * at once both write; the last write wins, which only drops one sample.
 */
export class SurgeEstimator {
  private readonly sensitivity: number;
  private readonly tauMs: number;
  /** Readings (or readings under way) by vehicle type and cell, with when they were taken. */
  private readonly recent = new BoundedMap<string, { at: number; reading: Promise<SurgeReading> }>(
    MEMO_LIMIT,
  );
  /** Each cell's ring-1 disk and the circle that holds it: fixed by the cell. */
  private readonly areas = new BoundedMap<
    string,
    { disk: ReadonlySet<string>; center: GeoPoint; radiusKm: number }
  >(MEMO_LIMIT);

  constructor(private readonly deps: SurgeEstimatorDeps) {
    this.sensitivity = deps.sensitivity ?? SURGE_SENSITIVITY;
    this.tauMs = deps.tauMs ?? SURGE_TAU_MS;
  }

  /** The multiplier at the pickup: a reading of this process under `SURGE_REUSE_MS` old, else a new one. */
  async multiplier(vehicleType: VehicleType, pickup: GeoPoint): Promise<SurgeReading> {
    const cell = latLngToCell(pickup.lat, pickup.lng, this.deps.resolution);
    const key = `${vehicleType}:${cell}`;
    const now = this.deps.clock.now();
    const known = this.recent.get(key);
    if (known !== undefined && now >= known.at && now - known.at < SURGE_REUSE_MS) {
      return known.reading;
    }
    const reading = this.read(vehicleType, cell);
    const entry = { at: now, reading };
    this.recent.set(key, entry);
    // A failed reading is not reused: the next quote tries again.
    reading.catch(() => {
      if (this.recent.get(key) === entry) {
        this.recent.delete(key);
      }
    });
    return reading;
  }

  private areaOf(cell: string): { disk: ReadonlySet<string>; center: GeoPoint; radiusKm: number } {
    let area = this.areas.get(cell);
    if (area === undefined) {
      const disk = gridDisk(cell, 1);
      area = { disk: new Set(disk), ...searchCircle(cell, disk) };
      this.areas.set(cell, area);
    }
    return area;
  }

  private async read(vehicleType: VehicleType, cell: string): Promise<SurgeReading> {
    const { geo, cache, clock, resolution, cap } = this.deps;
    const { disk: inDisk, center, radiusKm } = this.areaOf(cell);
    const countIn = async (set: string): Promise<number> => {
      const hits = await geo.nearby(set, center, radiusKm, CANDIDATE_LIMIT);
      return hits.filter((hit) => inDisk.has(latLngToCell(hit.lat, hit.lng, resolution))).length;
    };

    const key = `surge:${vehicleType}:${cell}`;
    const [demand, supply, stored] = await Promise.all([
      countIn(searchingBookingsSet(vehicleType)),
      countIn(availableDriversSet(vehicleType)),
      cache.get(key),
    ]);
    const now = clock.now();
    const raw = rawSurge(demand, supply, this.sensitivity, cap);
    const previous = parseState(stored);
    const value = previous === null ? 1 : smoothSurge(previous.value, raw, now - previous.at, this.tauMs);
    // The unrounded value is kept so rounding never accumulates from step to step.
    await cache.set(key, JSON.stringify({ value, at: now } satisfies SmoothedState), STATE_TTL_SECONDS);

    const multiplier = Math.min(Math.max(1, cap), Math.max(1, Math.round(value * 100) / 100));
    return { multiplier, demand, supply, cell };
  }
}
