import { describe, expect, it } from 'vitest';
import { KM_PER_DEGREE_LAT } from '@loadline/contracts';
import { areaContains, areaProblem, type ServiceArea } from './service-area';

// A 1° square south-west corner (12, 77), listed both ways round.
const anticlockwise: ServiceArea = {
  kind: 'polygon',
  points: [
    { lat: 12, lng: 77 },
    { lat: 12, lng: 78 },
    { lat: 13, lng: 78 },
    { lat: 13, lng: 77 },
  ],
};
const clockwise: ServiceArea = { kind: 'polygon', points: [...anticlockwise.points].reverse() };

// An L: the square's north-east quarter is cut out.
const lShape: ServiceArea = {
  kind: 'polygon',
  points: [
    { lat: 12, lng: 77 },
    { lat: 12, lng: 78 },
    { lat: 12.5, lng: 78 },
    { lat: 12.5, lng: 77.5 },
    { lat: 13, lng: 77.5 },
    { lat: 13, lng: 77 },
  ],
};

describe('areaContains: polygons', () => {
  for (const [orientation, square] of [
    ['anticlockwise', anticlockwise],
    ['clockwise', clockwise],
  ] as const) {
    it(`a square listed ${orientation} holds its inside, its edges and its corners, and nothing beyond`, () => {
      expect(areaContains(square, { lat: 12.5, lng: 77.5 })).toBe(true);
      // On an edge, on a corner: the boundary is served.
      expect(areaContains(square, { lat: 12, lng: 77.5 })).toBe(true);
      expect(areaContains(square, { lat: 12.25, lng: 78 })).toBe(true);
      expect(areaContains(square, { lat: 13, lng: 77 })).toBe(true);
      expect(areaContains(square, { lat: 13, lng: 78 })).toBe(true);
      // Just outside each side, and on an edge's line but past its end.
      expect(areaContains(square, { lat: 11.9999, lng: 77.5 })).toBe(false);
      expect(areaContains(square, { lat: 13.0001, lng: 77.5 })).toBe(false);
      expect(areaContains(square, { lat: 12.5, lng: 76.9999 })).toBe(false);
      expect(areaContains(square, { lat: 12.5, lng: 78.0001 })).toBe(false);
      expect(areaContains(square, { lat: 12, lng: 78.5 })).toBe(false);
      expect(areaContains(square, { lat: 89.5, lng: 77.5 })).toBe(false);
    });
  }

  it('a concave polygon leaves out its notch but keeps the notch edges', () => {
    expect(areaContains(lShape, { lat: 12.25, lng: 77.75 })).toBe(true);
    expect(areaContains(lShape, { lat: 12.75, lng: 77.25 })).toBe(true);
    expect(areaContains(lShape, { lat: 12.75, lng: 77.75 })).toBe(false);
    expect(areaContains(lShape, { lat: 12.75, lng: 77.5 })).toBe(true);
    expect(areaContains(lShape, { lat: 12.5, lng: 77.75 })).toBe(true);
    // A ray from this point passes exactly through the reflex corner (12.5, 77.5).
    expect(areaContains(lShape, { lat: 12.5, lng: 77.25 })).toBe(true);
    expect(
      areaContains({ ...lShape, points: [...lShape.points].reverse() }, { lat: 12.75, lng: 77.75 }),
    ).toBe(false);
  });

  it('a diagonal edge holds the points on it', () => {
    const triangle: ServiceArea = {
      kind: 'polygon',
      points: [
        { lat: 10, lng: 20 },
        { lat: 12, lng: 24 },
        { lat: 10, lng: 24 },
      ],
    };
    expect(areaContains(triangle, { lat: 11, lng: 22 })).toBe(true);
    expect(areaContains(triangle, { lat: 10.5, lng: 21 })).toBe(true);
    expect(areaContains(triangle, { lat: 11.01, lng: 22 })).toBe(false);
  });
});

describe('areaContains: circles', () => {
  const city: ServiceArea = { kind: 'circle', center: { lat: 12.9716, lng: 77.5946 }, radiusKm: 75 };

  it('holds its centre and the points up to its radius, the edge included', () => {
    expect(areaContains(city, city.center)).toBe(true);
    const edge = { lat: 12.9716 + 75 / KM_PER_DEGREE_LAT, lng: 77.5946 };
    expect(areaContains(city, edge)).toBe(true);
    expect(areaContains(city, { lat: 12.9716 + 75.01 / KM_PER_DEGREE_LAT, lng: 77.5946 })).toBe(false);
    expect(areaContains(city, { lat: 51.5074, lng: -0.1278 })).toBe(false);
    expect(areaContains(city, { lat: 89.5, lng: 77.5946 })).toBe(false);
  });

  it('measures across the antimeridian', () => {
    const fiji: ServiceArea = { kind: 'circle', center: { lat: -17, lng: 179.9 }, radiusKm: 50 };
    expect(areaContains(fiji, { lat: -17, lng: -179.9 })).toBe(true);
    expect(areaContains(fiji, { lat: -17, lng: 179 })).toBe(false);
  });
});

describe('areaProblem', () => {
  it('accepts a plain circle and polygons in either orientation', () => {
    expect(areaProblem({ kind: 'circle', center: { lat: 12.97, lng: 77.59 }, radiusKm: 75 })).toBeNull();
    expect(areaProblem(anticlockwise)).toBeNull();
    expect(areaProblem(clockwise)).toBeNull();
    expect(areaProblem(lShape)).toBeNull();
  });

  it('refuses a circle reaching past the latitudes the geo index holds', () => {
    expect(areaProblem({ kind: 'circle', center: { lat: 84, lng: 0 }, radiusKm: 200 })).toBe(
      'reaches beyond latitude ±85.05112878, which the geo index cannot hold',
    );
    expect(areaProblem({ kind: 'circle', center: { lat: -84, lng: 0 }, radiusKm: 200 })).toBe(
      'reaches beyond latitude ±85.05112878, which the geo index cannot hold',
    );
  });

  it('refuses crossing edges, no area, and polygons spanning 180° of longitude', () => {
    const bowTie: ServiceArea = {
      kind: 'polygon',
      points: [
        { lat: 12, lng: 77 },
        { lat: 13, lng: 78 },
        { lat: 12, lng: 78 },
        { lat: 13, lng: 77 },
      ],
    };
    expect(areaProblem(bowTie)).toBe('has edges that cross (edges 1 and 3); list the corners in order');
    const flat: ServiceArea = {
      kind: 'polygon',
      points: [
        { lat: 12, lng: 77 },
        { lat: 12.5, lng: 77.5 },
        { lat: 13, lng: 78 },
      ],
    };
    expect(areaProblem(flat)).toBe('encloses no area');
    const wide: ServiceArea = {
      kind: 'polygon',
      points: [
        { lat: -10, lng: 170 },
        { lat: -10, lng: -170 },
        { lat: -20, lng: -170 },
        { lat: -20, lng: 170 },
      ],
    };
    expect(areaProblem(wide)).toBe(
      'spans 180° of longitude or more; a polygon may not cross the antimeridian (split it into two regions)',
    );
  });
});
