import type { LatLng } from './map-view';

/** How long a glide takes before any second position has shown the update rhythm. */
const FIRST_INTERVAL_MS = 1000;
/** Glides stay within these, whatever gaps the updates had (a stalled feed must not crawl for minutes). */
const MIN_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 5000;
/** Weight of the newest gap in the running estimate of the update interval. */
const SMOOTHING = 0.4;
/** Moves shorter than this (in degrees, about 1 m) keep the last heading instead of turning at random. */
const STILL = 0.00001;

/**
 * A marker that glides between the positions it is given: each new position
 * starts a straight glide from where the marker is drawn now, lasting as long
 * as updates have been apart lately, so a marker fed every few seconds keeps
 * moving instead of arriving early and waiting. It faces its heading (given,
 * else the direction of the last move).
 */
export class Glide {
  private from: LatLng;
  private to: LatLng;
  private startedAt: number;
  private duration = 0;
  private lastUpdateAt: number | null = null;
  private intervalMs = FIRST_INTERVAL_MS;
  /** Degrees clockwise from north; null until known. */
  heading: number | null;

  constructor(position: LatLng, now: number, heading: number | null = null) {
    this.from = position;
    this.to = position;
    this.startedAt = now;
    this.lastUpdateAt = now;
    this.heading = heading;
  }

  /** The newest position; `heading` when the source reports one. */
  retarget(to: LatLng, now: number, heading?: number | null): void {
    if (this.lastUpdateAt !== null) {
      const gap = now - this.lastUpdateAt;
      if (gap > 0) {
        const estimate = this.intervalMs + (gap - this.intervalMs) * SMOOTHING;
        this.intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, estimate));
      }
    }
    this.lastUpdateAt = now;
    const here = this.positionAt(now);
    if (heading !== undefined && heading !== null) {
      this.heading = heading;
    } else if (Math.abs(to.lat - here.lat) > STILL || Math.abs(to.lng - here.lng) > STILL) {
      this.heading = bearing(here, to);
    }
    this.from = here;
    this.to = to;
    this.startedAt = now;
    this.duration = this.intervalMs;
  }

  /** Where the marker is drawn at `now`. */
  positionAt(now: number): LatLng {
    if (this.duration <= 0 || now >= this.startedAt + this.duration) {
      return this.to;
    }
    const t = Math.max(0, (now - this.startedAt) / this.duration);
    return {
      lat: this.from.lat + (this.to.lat - this.from.lat) * t,
      lng: this.from.lng + (this.to.lng - this.from.lng) * t,
    };
  }

  /** True while the marker is still on its way to the newest position. */
  movingAt(now: number): boolean {
    return this.duration > 0 && now < this.startedAt + this.duration;
  }

  /** The newest position given. */
  get target(): LatLng {
    return this.to;
  }
}

/** Compass bearing from `a` to `b` in whole degrees (0 north, 90 east), corrected for latitude. */
export function bearing(a: LatLng, b: LatLng): number {
  const dx = (b.lng - a.lng) * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  const dy = b.lat - a.lat;
  const degrees = (Math.atan2(dx, dy) * 180) / Math.PI;
  return Math.round((degrees + 360) % 360) % 360;
}
