/**
 * Backpressure for location pings, per driver: while the process keeps up,
 * every ping is worked at once. Once it is behind (`behind()`: too many pings
 * at work), a driver's next ping waits behind its ping at work, and a newer one
 * replaces the waiting one before any work is done on it; the replaced one is
 * answered `superseded` at once. A process that falls behind so does one update
 * per driver per round trip, always the newest, instead of queueing every ping
 * it cannot serve in time.
 */
export class PingCoalescer<T, R> {
  private readonly lanes = new Map<string, Lane<T, R>>();
  private atWork = 0;
  private coalescedTotal = 0;

  constructor(
    private readonly work: (driverId: string, update: T) => Promise<R>,
    private readonly superseded: R,
    /** Whether the process is behind, given the pings at work now. */
    private readonly behind: (atWork: number) => boolean,
  ) {}

  /** Pings replaced by a newer one of the same driver since the process started. */
  get coalesced(): number {
    return this.coalescedTotal;
  }

  run(driverId: string, update: T): Promise<R> {
    const lane = this.lanes.get(driverId);
    if (lane !== undefined && (lane.waiting !== null || this.behind(this.atWork))) {
      if (lane.waiting !== null) {
        this.coalescedTotal += 1;
        lane.waiting.resolve(this.superseded);
      }
      return new Promise<R>((resolve, reject) => {
        lane.waiting = { update, resolve, reject };
      });
    }
    const working = lane ?? { atWork: 0, waiting: null };
    this.lanes.set(driverId, working);
    return this.drive(driverId, working, update);
  }

  private async drive(driverId: string, lane: Lane<T, R>, update: T): Promise<R> {
    lane.atWork += 1;
    this.atWork += 1;
    try {
      return await this.work(driverId, update);
    } finally {
      lane.atWork -= 1;
      this.atWork -= 1;
      if (lane.atWork === 0) {
        const next = lane.waiting;
        lane.waiting = null;
        if (next === null) {
          this.lanes.delete(driverId);
        } else {
          this.drive(driverId, lane, next.update).then(next.resolve, next.reject);
        }
      }
    }
  }
}

interface Lane<T, R> {
  /** This driver's pings at work now. */
  atWork: number;
  /** The newest ping waiting for them, when the process was behind as it came. */
  waiting: { update: T; resolve: (result: R) => void; reject: (error: unknown) => void } | null;
}
