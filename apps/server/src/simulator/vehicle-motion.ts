import { planPath, Route, type Fix, type Point } from './paths';
import type { Random } from '../lib/random';

/**
 * Where one simulated vehicle is: parked, or driving a planned route at its
 * own speed. Positions are read from the clock, never stepped.
 */
export class VehicleMotion {
  private route: Route;
  private pace = 1;

  /**
   * @param speedKmh the vehicle's cruising speed (simulated km/h).
   * @param timeScale simulated time per wall time.
   */
  constructor(
    start: Point,
    readonly speedKmh: number,
    private readonly timeScale: number,
    private readonly random: Random,
    private readonly now: () => number = Date.now,
  ) {
    this.route = Route.parked(start, now());
  }

  fix(): Fix {
    return this.route.fixAt(this.now());
  }

  /** The speed to report now (simulated km/h): 0 when parked or arrived. */
  get speedNowKmh(): number {
    return this.fix().arrived ? 0 : this.speedKmh * this.pace;
  }

  /** Stops where the vehicle is now. */
  halt(): void {
    this.parkAt(this.fix().point);
  }

  /** Puts the vehicle, stopped, at `point` (where a trip picked up again says it stands). */
  parkAt(point: Point): void {
    this.route = Route.parked(point, this.now());
  }

  /**
   * Sets off from the current position towards `target` through a planned
   * path; answers the wall-clock milliseconds until arrival.
   * @param pace share of the cruising speed (idle drivers dawdle).
   */
  driveTo(target: Point, pace = 1): number {
    this.pace = pace;
    const kmPerMs = (this.speedKmh * pace * this.timeScale) / 3_600_000;
    this.route = new Route(planPath(this.random, this.fix().point, target), kmPerMs, this.now());
    return this.route.durationMs;
  }
}
