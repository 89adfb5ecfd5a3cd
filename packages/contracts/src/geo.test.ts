import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_KM, haversineKm, KM_PER_DEGREE_LAT } from './geo';

describe('great-circle distance', () => {
  it("measures on Redis GEO's sphere: one degree of latitude is 111.2263 km", () => {
    expect(EARTH_RADIUS_KM).toBe(6372.797560856);
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(111.2263, 6);
    expect(KM_PER_DEGREE_LAT).toBeCloseTo(111.2263, 6);
    expect(haversineKm({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * 6372.797560856, 9);
  });

  it('is zero from a point to itself and the same both ways', () => {
    const bengaluru = { lat: 12.9716, lng: 77.5946 };
    const mysuru = { lat: 12.2958, lng: 76.6394 };
    expect(haversineKm(bengaluru, bengaluru)).toBe(0);
    expect(haversineKm(bengaluru, mysuru)).toBe(haversineKm(mysuru, bengaluru));
    expect(haversineKm(bengaluru, mysuru)).toBeCloseTo(128.053, 3);
  });
});
