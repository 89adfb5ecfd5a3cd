import { describe, expect, it } from 'vitest';
import { bearing, Glide } from './marker-motion';

const start = { lat: 12.97, lng: 77.59 };
const north = { lat: 12.98, lng: 77.59 };
const east = { lat: 12.98, lng: 77.6 };

describe('gliding markers', () => {
  it('glides over the interval the updates come at, so it is still moving when the next one arrives', () => {
    const glide = new Glide(start, 0);
    // Updates every 3 s: the estimate moves toward 3000 ms with each gap.
    glide.retarget(north, 3000);
    glide.retarget(east, 6000);
    glide.retarget(north, 9000);
    expect(glide.movingAt(9000 + 1500)).toBe(true);
    const halfway = glide.positionAt(9000 + 1000);
    expect(halfway.lng).toBeLessThan(east.lng);
    expect(halfway.lng).toBeGreaterThan(north.lng);
  });

  it('starts each glide where the marker is drawn, never jumping back to the last target', () => {
    const glide = new Glide(start, 0);
    glide.retarget(north, 1000);
    const drawn = glide.positionAt(1500);
    glide.retarget(east, 1500);
    expect(glide.positionAt(1500)).toEqual(drawn);
  });

  it('lands on the newest position and stops', () => {
    const glide = new Glide(start, 0);
    glide.retarget(north, 1000);
    expect(glide.positionAt(1000 + 60_000)).toEqual(north);
    expect(glide.movingAt(1000 + 60_000)).toBe(false);
  });

  it('faces the reported heading, else the direction it moves in, and keeps it while standing still', () => {
    const glide = new Glide(start, 0);
    glide.retarget(north, 1000);
    expect(glide.heading).toBe(0);
    glide.retarget(east, 2000, 45);
    expect(glide.heading).toBe(45);
    glide.retarget(east, 10_000);
    glide.retarget(east, 11_000);
    expect(glide.heading).toBe(45);
  });

  it('measures bearings on the compass', () => {
    expect(bearing(start, north)).toBe(0);
    expect(bearing(start, { lat: 12.97, lng: 77.6 })).toBe(90);
    expect(bearing(north, start)).toBe(180);
    expect(bearing(start, { lat: 12.97, lng: 77.58 })).toBe(270);
  });
});
