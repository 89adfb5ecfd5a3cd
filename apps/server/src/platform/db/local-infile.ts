import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * The data `LOAD DATA LOCAL INFILE` statements send, by the name the statement
 * gives as its file. The server names the file the client must send, so a
 * client that opened whatever it was asked for would hand a hostile server any
 * file it can read; here only a stream registered for a statement in flight is
 * served, once, and every other name gets an error, never the file system.
 */
export class LocalInfiles {
  private readonly pending = new Map<string, () => Readable>();

  /** A name to put in the statement; `open` hands out `source()` once under it until `release`. */
  register(source: () => Readable): { name: string; release: () => void } {
    const name = `loadline-infile:${randomUUID()}`;
    this.pending.set(name, source);
    return { name, release: () => this.pending.delete(name) };
  }

  /** mysql2's `infileStreamFactory`: the registered stream, or one that fails the statement. */
  readonly open = (name: string): Readable => {
    const source = this.pending.get(name);
    this.pending.delete(name);
    if (source === undefined) {
      return new Readable({
        read() {
          this.destroy(new Error(`the server asked for a local file that was not offered: ${name}`));
        },
      });
    }
    return source();
  };
}

/** The registry every MySQL shard pool's connections serve LOCAL INFILE requests from. */
export const localInfiles = new LocalInfiles();
