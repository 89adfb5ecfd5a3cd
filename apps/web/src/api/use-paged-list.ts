import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, query, type PageOf } from './client';

/**
 * One cursor-paged list from the API: the first page on mount, `more()` for the
 * next, `reload()` from the start, and `refreshIfFirstPage()` for live updates
 * that must not throw away pages the reader loaded.
 */
export function usePagedList<T>(path: string, pageSize = 20) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pages = useRef(0);

  const load = useCallback(
    async (from: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api<PageOf<T>>('GET', `${path}${query({ limit: pageSize, cursor: from })}`);
        setItems((current) => (from === null ? page.items : [...current, ...page.items]));
        setCursor(page.nextCursor);
        setLoaded(true);
        pages.current = from === null ? 1 : pages.current + 1;
      } catch (caught) {
        setError(errorMessage(caught));
      } finally {
        setLoading(false);
      }
    },
    [path, pageSize],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const refreshIfFirstPage = useCallback(() => {
    if (pages.current <= 1) {
      void load(null);
    }
  }, [load]);

  return {
    items,
    setItems,
    cursor,
    loading,
    loaded,
    error,
    reload: () => void load(null),
    more: () => void load(cursor),
    /** Retries what failed: the next page when some are loaded, else the first. */
    retry: () => void load(loaded ? cursor : null),
    refreshIfFirstPage,
  };
}
