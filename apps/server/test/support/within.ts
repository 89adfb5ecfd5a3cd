/**
 * What `work` resolves to, or 'still waiting' when it has not settled within
 * `ms` (a rejection within `ms` rejects): for showing that a call on a hung
 * dependency gives up in time instead of waiting for the dependency.
 */
export async function within<T>(ms: number, work: Promise<T>): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<'still waiting'>((resolve) => {
        timer = setTimeout(() => resolve('still waiting'), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `within`, with a rejection as a value: `{ status: 'rejected', reason }`. */
export function settledWithin<T>(
  ms: number,
  work: Promise<T>,
): Promise<PromiseSettledResult<T> | 'still waiting'> {
  return within(
    ms,
    work.then(
      (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
    ),
  );
}
