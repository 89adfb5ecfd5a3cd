import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from './client';

/**
 * A list the API answers whole (`{ items }`, no cursor): fetched on mount, `reload()` after a
 * change. `items` is null until the first answer; `error` holds why the last fetch failed.
 * Keep `fetchItems` stable (module level or `useCallback`): a new one fetches again.
 */
export function useItems<T>(fetchItems: () => Promise<{ items: T[] }>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    setError(null);
    try {
      setItems((await fetchItems()).items);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [fetchItems]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, error, reload };
}
