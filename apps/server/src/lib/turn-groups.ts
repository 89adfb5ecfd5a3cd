/**
 * Gathers the calls made in one turn of the event loop, or while the group
 * before was being handled, and hands them to `handle` together: a group
 * commit, or a group read. Under load the groups grow with the latency of
 * what `handle` does; idle, each call is handled at once. `handle` settles
 * every call of its group itself (it answers each caller).
 */
export class TurnGroups<T> {
  private next: T[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly handle: (group: T[]) => Promise<void>) {}

  add(call: T): void {
    this.next.push(call);
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      // Let the calls of this turn of the event loop join the first group.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.next.length > 0) {
        const group = this.next;
        this.next = [];
        await this.handle(group);
      }
    } finally {
      this.running = null;
    }
  }
}
