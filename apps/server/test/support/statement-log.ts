import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompiledQuery, QueryExecutor } from 'kysely';

/**
 * The SQL statements a piece of work sends, on any shard: every Kysely query
 * runs through its executor's `executeQuery` (a transaction's executor has the
 * same prototype), and only calls made inside `work`'s own async context are
 * kept, so the app's timers running meanwhile are not counted.
 */
export class StatementLog {
  private readonly context = new AsyncLocalStorage<string[]>();
  private restore: (() => void) | null = null;

  install(executor: QueryExecutor): void {
    const prototype = Object.getPrototypeOf(executor) as Pick<QueryExecutor, 'executeQuery'>;
    const original = prototype.executeQuery;
    const context = this.context;
    prototype.executeQuery = function <R>(this: QueryExecutor, query: CompiledQuery<R>) {
      context.getStore()?.push(query.sql);
      return original.call(this, query);
    } as QueryExecutor['executeQuery'];
    this.restore = () => {
      prototype.executeQuery = original;
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = null;
  }

  async during<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = [];
    // Awaited inside the context: an inject is a thenable that only starts when awaited.
    const result = await this.context.run(statements, async () => await work());
    return { result, statements };
  }
}
