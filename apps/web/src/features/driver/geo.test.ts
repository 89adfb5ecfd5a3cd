import { haversineKm, LocationUpdate } from '@loadline/contracts';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { headingBetween, metersBetween, stepToward } from './geo';

const bengaluru = { lat: 12.9716, lng: 77.5946 };

describe('simulated GPS geometry', () => {
  it('measures great-circle distance in meters', () => {
    expect(metersBetween(bengaluru, bengaluru)).toBe(0);
    // One degree of latitude is 111.23 km on the sphere the server measures with (Redis GEO's).
    expect(metersBetween({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(111_226.3, 0);
  });

  it('measures a step exactly as the server measures the fixes it receives', () => {
    const goal = { lat: 12.9816, lng: 77.6046 };
    expect(metersBetween(bengaluru, goal)).toBe(haversineKm(bengaluru, goal) * 1000);
  });

  it('gives compass headings', () => {
    expect(headingBetween(bengaluru, { lat: 13, lng: 77.5946 })).toBe(0);
    expect(headingBetween(bengaluru, { lat: 12.9716, lng: 78 })).toBe(90);
    expect(headingBetween(bengaluru, { lat: 12, lng: 77.5946 })).toBe(180);
    expect(headingBetween(bengaluru, { lat: 12.9716, lng: 77 })).toBe(270);
  });

  it('steps toward a far goal by the step length at the capped speed', () => {
    const goal = { lat: 13.0716, lng: 77.5946 };
    const fix = stepToward(bengaluru, goal, 120);
    expect(metersBetween(bengaluru, fix.position)).toBeCloseTo(120, 6);
    expect(fix.position.lng).toBe(77.5946);
    expect(fix.heading).toBe(0);
    expect(fix.speedKmh).toBe(300);
  });

  it('lands on a goal closer than one step, at the speed that distance implies', () => {
    const goal = { lat: 12.9716 + 50 / 111_226.3, lng: 77.5946 };
    const fix = stepToward(bengaluru, goal, 120);
    expect(fix.position).toEqual(goal);
    expect(fix.heading).toBe(0);
    expect(fix.speedKmh).toBe(180);
  });

  it('never reports more than the contract allows when it lands on a goal just under one step away', () => {
    const goal = { lat: 12.9716 + 110 / 111_226.3, lng: 77.5946 };
    const fix = stepToward(bengaluru, goal, 120);
    expect(fix.position).toEqual(goal);
    expect(fix.speedKmh).toBe(300);
    expect(
      Value.Check(LocationUpdate, { ...fix.position, heading: fix.heading, speedKmh: fix.speedKmh }),
    ).toBe(true);
  });

  it('stands still without a goal', () => {
    expect(stepToward(bengaluru, null, 120)).toEqual({
      position: bengaluru,
      heading: undefined,
      speedKmh: 0,
    });
  });
});
