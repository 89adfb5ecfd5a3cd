/** The server's seeded generator and random point in a disc: the same seed builds the same data set. */
export { pointInDisc as pointNear, Random } from '../../src/lib/random';

export interface Point {
  lat: number;
  lng: number;
}

/** Central Bengaluru. */
export const BENGALURU: Point = { lat: 12.9716, lng: 77.5946 };
