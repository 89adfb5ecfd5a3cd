import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, query, type PageOf } from './client';

export type ListFilter = Record<string, string | number | undefined | null>;

/**
 * One cursor-paged list from the API: the first page on mount, `more()` for the
 * next, `reload()` from the start, and `refreshIfFirstPage()` for live updates
 * that must not throw away pages the reader loaded. `filter` adds query
 * parameters (empty values are left out); a new filter starts again from the
 * first page, and an answer for a filter no longer shown is dropped.
 */
export function usePagedList<T>(path: string, pageSize = 20, filter: ListFilter = {}) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pages = useRef(0);
  const latestRequest = useRef(0);
  // The filter as text, so a new object with the same values is the same list.
  const filterKey = query(filter);
  // Another filter is another list: its rows go at once rather than linger until the new page arrives.
  const [listKey, setListKey] = useState(`${path}${filterKey}`);
  if (listKey !== `${path}${filterKey}`) {
    setListKey(`${path}${filterKey}`);
    setItems([]);
    setCursor(null);
    setLoaded(false);
    setLoading(true);
  }

  const load = useCallback(
    async (from: string | null) => {
      const request = ++latestRequest.current;
      setLoading(true);
      setError(null);
      const search = new URLSearchParams(filterKey.slice(1));
      search.set('limit', String(pageSize));
      if (from !== null) {
        search.set('cursor', from);
      }
      try {
        const page = await api<PageOf<T>>('GET', `${path}?${search.toString()}`);
        if (request !== latestRequest.current) {
          return;
        }
        setItems((current) => (from === null ? page.items : [...current, ...page.items]));
        setCursor(page.nextCursor);
        setLoaded(true);
        pages.current = from === null ? 1 : pages.current + 1;
      } catch (caught) {
        if (request === latestRequest.current) {
          setError(errorMessage(caught));
        }
      } finally {
        if (request === latestRequest.current) {
          setLoading(false);
        }
      }
    },
    [path, pageSize, filterKey],
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

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;
