/**
 * A small, fast, seedable PRNG (sfc32) so a chunk of generated records is the
 * same every time it is built: a retried chunk writes exactly what the first
 * try would have.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    // splitmix32 spreads the seeds over the four words of state.
    let h = 0x9e3779b9;
    const next = () => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      for (const seed of seeds) {
        z = Math.imul(z ^ seed, 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      }
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i += 1) {
      this.next();
    }
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) {
      throw new RangeError('cannot pick from an empty list');
    }
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}
