import { describe, expect, it } from 'vitest';
import { haversineKm } from '@loadline/contracts';
import {
  bearingDegrees,
  distanceKm,
  interpolate,
  isInArea,
  offsetKm,
  parseArea,
  planPath,
  pointAtDistance,
  pointInArea,
  Route,
  type Point,
} from './paths';
import { Random } from '../lib/random';

const CITY: Point = { lat: 12.9716, lng: 77.5946 };

describe('geometry', () => {
  it('measures great-circle distances: one degree of latitude is about 111.2 km', () => {
    expect(distanceKm({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(111.2263, 6);
    expect(distanceKm(CITY, CITY)).toBe(0);
    expect(distanceKm(CITY, offsetKm(CITY, 3, 4))).toBeCloseTo(5, 2);
  });

  it('measures a trip exactly as the server prices it', () => {
    const dropoff = { lat: 13.0358, lng: 77.597 };
    expect(distanceKm(CITY, dropoff)).toBe(haversineKm(CITY, dropoff));
    expect(distanceKm(CITY, offsetKm(CITY, 3, 4))).toBe(haversineKm(CITY, offsetKm(CITY, 3, 4)));
  });

  it('gives compass bearings: north 0, east 90, south 180, west 270', () => {
    expect(bearingDegrees(CITY, offsetKm(CITY, 1, 0))).toBeCloseTo(0, 3);
    expect(bearingDegrees(CITY, offsetKm(CITY, 0, 1))).toBeCloseTo(90, 1);
    expect(bearingDegrees(CITY, offsetKm(CITY, -1, 0))).toBeCloseTo(180, 3);
    expect(bearingDegrees(CITY, offsetKm(CITY, 0, -1))).toBeCloseTo(270, 1);
  });

  it('interpolates between two points and clamps outside [0, 1]', () => {
    const a = { lat: 10, lng: 20 };
    const b = { lat: 12, lng: 24 };
    expect(interpolate(a, b, 0)).toEqual(a);
    expect(interpolate(a, b, 1)).toEqual(b);
    expect(interpolate(a, b, 0.25)).toEqual({ lat: 10.5, lng: 21 });
    expect(interpolate(a, b, -3)).toEqual(a);
    expect(interpolate(a, b, 7)).toEqual(b);
  });

  it('parses --area and names the flag on a bad value', () => {
    expect(parseArea('12.9716, 77.5946, 8')).toEqual({ center: CITY, radiusKm: 8 });
    expect(() => parseArea('12.9,77.5')).toThrow(/--area must look like lat,lng,radiusKm/);
    expect(() => parseArea('12.9,abc,5')).toThrow(/--area must look like/);
    expect(() => parseArea('12.9,77.5,0.1')).toThrow(/radius must be between 0.5 and 100/);
    expect(() => parseArea('95,77.5,5')).toThrow(/centre/);
  });
});

describe('random points', () => {
  it('keeps every point inside the area', () => {
    const random = new Random(7);
    const area = { center: CITY, radiusKm: 4 };
    for (let i = 0; i < 500; i += 1) {
      expect(isInArea(pointInArea(random, area), area)).toBe(true);
    }
  });

  it('picks a destination at the asked distance when the area allows it', () => {
    const random = new Random(11);
    const area = { center: CITY, radiusKm: 10 };
    for (let i = 0; i < 200; i += 1) {
      const to = pointAtDistance(random, area, CITY, 2, 5);
      const distance = distanceKm(CITY, to);
      expect(distance).toBeGreaterThanOrEqual(2 - 1e-9);
      expect(distance).toBeLessThanOrEqual(5 + 1e-9);
    }
  });

  it('is reproducible: the same seed draws the same points, a forked stream others', () => {
    const area = { center: CITY, radiusKm: 5 };
    const first = Array.from(
      { length: 5 },
      (
        (r) => () =>
          pointInArea(r, area)
      )(new Random(42)),
    );
    const second = Array.from(
      { length: 5 },
      (
        (r) => () =>
          pointInArea(r, area)
      )(new Random(42)),
    );
    expect(second).toEqual(first);
    const a = new Random(42).fork('driver:1');
    const b = new Random(42).fork('driver:2');
    expect(a.next()).not.toBe(b.next());
    expect(new Random(42).fork('driver:1').next()).toBe(new Random(42).fork('driver:1').next());
  });
});

describe('Route', () => {
  // 10 km/h of wall time: 1 km takes 360 000 ms.
  const kmPerMs = 10 / 3_600_000;

  it('moves along a straight leg in proportion to elapsed time', () => {
    const to = offsetKm(CITY, 0, 2);
    const route = new Route([CITY, to], kmPerMs, 1_000);
    expect(route.lengthKm).toBeCloseTo(2, 6);
    expect(route.durationMs).toBeCloseTo(720_000, 3);
    expect(route.arrivesAt).toBeCloseTo(721_000, 3);

    expect(route.fixAt(0)).toMatchObject({ point: CITY, arrived: false });
    const halfway = route.fixAt(1_000 + 360_000);
    expect(distanceKm(halfway.point, CITY)).toBeCloseTo(1, 3);
    expect(distanceKm(halfway.point, to)).toBeCloseTo(1, 3);
    expect(halfway.heading).toBeCloseTo(90, 1);
    expect(halfway.arrived).toBe(false);

    const end = route.fixAt(10_000_000);
    expect(end).toMatchObject({ point: to, arrived: true });
    expect(end.heading).toBeCloseTo(90, 1);
  });

  it('turns corners: the heading follows the leg being driven', () => {
    const corner = offsetKm(CITY, 1, 0);
    const end = offsetKm(corner, 0, 1);
    const route = new Route([CITY, corner, end], kmPerMs, 0);
    const onFirst = route.fixAt(180_000);
    const onSecond = route.fixAt(540_000);
    expect(onFirst.heading).toBeCloseTo(0, 1);
    expect(distanceKm(onFirst.point, CITY)).toBeCloseTo(0.5, 3);
    expect(onSecond.heading).toBeCloseTo(90, 0);
    expect(distanceKm(onSecond.point, corner)).toBeCloseTo(0.5, 3);
  });

  it('keeps to its speed along a planned path: fixes a step apart are at most speed x step apart', () => {
    const random = new Random(3);
    const to = offsetKm(CITY, 4, -3);
    const route = new Route(planPath(random, CITY, to), kmPerMs, 0);
    const steps = 200;
    const stepMs = route.durationMs / steps;
    let travelled = 0;
    for (let i = 1; i <= steps; i += 1) {
      const hop = distanceKm(route.fixAt((i - 1) * stepMs).point, route.fixAt(i * stepMs).point);
      // Straight lines in lat/lng are a hair longer than great circles: allow one part in a million.
      expect(hop).toBeLessThanOrEqual(kmPerMs * stepMs * (1 + 1e-6));
      travelled += hop;
    }
    // Summed hops cut each corner by a few metres at most.
    expect(travelled).toBeGreaterThan(route.lengthKm * 0.99);
    expect(travelled).toBeLessThanOrEqual(route.lengthKm * (1 + 1e-6));
    expect(route.fixAt(route.durationMs - 1).arrived).toBe(false);
    expect(route.fixAt(route.durationMs)).toMatchObject({ point: to, arrived: true });
  });

  it('a parked route stays put and counts as arrived', () => {
    const parked = Route.parked(CITY, 0);
    expect(parked.fixAt(123_456)).toEqual({ point: CITY, heading: 0, arrived: true });
    expect(parked.durationMs).toBe(0);
  });

  it('refuses an empty route or a speed that is not positive', () => {
    expect(() => new Route([], kmPerMs, 0)).toThrow(RangeError);
    expect(() => new Route([CITY, offsetKm(CITY, 1, 1)], 0, 0)).toThrow(RangeError);
  });
});

describe('planPath', () => {
  it('starts and ends at the asked points, with at most two corners near the straight line', () => {
    const random = new Random(5);
    for (let i = 0; i < 100; i += 1) {
      const from = pointInArea(random, { center: CITY, radiusKm: 8 });
      const to = pointInArea(random, { center: CITY, radiusKm: 8 });
      const path = planPath(random, from, to);
      expect(path[0]).toEqual(from);
      expect(path[path.length - 1]).toEqual(to);
      expect(path.length).toBeGreaterThanOrEqual(2);
      expect(path.length).toBeLessThanOrEqual(4);
      const length = path.slice(1).reduce((sum, point, k) => sum + distanceKm(path[k] as Point, point), 0);
      // A grid drive is at most sqrt(2) times the straight line, plus the corners' wobble.
      expect(length).toBeLessThanOrEqual(distanceKm(from, to) * Math.SQRT2 + 0.2);
    }
  });
});
