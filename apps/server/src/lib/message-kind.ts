import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { registerFormats } from './formats';

/** Data that crossed a process boundary (the queue, the outbox table) does not match its schema. */
export class MalformedMessageError extends Error {
  constructor(
    readonly kind: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${kind} data is malformed at ${path === '' ? '/' : path}: ${detail}`);
    this.name = 'MalformedMessageError';
  }
}

/**
 * A named kind of message with the schema of its data: an outbox topic or a
 * queue job. Senders are typed by the schema; receivers get data checked once,
 * where it enters them (`parse`), never cast.
 */
export abstract class MessageKind<S extends TSchema> {
  private readonly check: TypeCheck<S>;

  constructor(
    readonly name: string,
    readonly schema: S,
  ) {
    registerFormats();
    this.check = TypeCompiler.Compile(schema);
  }

  /** `data` typed by the schema, or a MalformedMessageError naming the first path that does not match. */
  parse(data: unknown): Static<S> {
    if (this.check.Check(data)) {
      return data;
    }
    const first = this.check.Errors(data).First();
    throw new MalformedMessageError(
      this.name,
      first?.path ?? '',
      first?.message ?? 'does not match its schema',
    );
  }
}

/**
 * A JSON column with the schema of its value: `read` parses what was stored
 * and checks it, so a row written by another version fails loudly, naming the
 * column, instead of flowing on as a guess.
 */
export class StoredJson<S extends TSchema> extends MessageKind<S> {
  readonly kind = 'stored';

  read(text: string): Static<S> {
    return this.parse(JSON.parse(text));
  }

  /** For a cache: an entry that does not parse or match (another version wrote it) is a miss. */
  readCached(text: string): Static<S> | null {
    try {
      return this.read(text);
    } catch {
      return null;
    }
  }

  write(value: Static<S>): string {
    return JSON.stringify(value);
  }
}
