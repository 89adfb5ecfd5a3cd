import type { Clock } from '../../src/lib/clock';

/**
 * Real time plus an offset the test moves forward: timers, queues and
 * sockets keep running, while everything the app dates by its clock (due
 * steps, deadlines, redelivery) sees time jump.
 */
export class ShiftedClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
