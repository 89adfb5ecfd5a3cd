import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './client';

/** `{ items, nextCursor }`: the answer of every paged list route. */
export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

/** Which page to fetch: the query parameters every paged route takes. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Fetches one page of a list, e.g. `(page) => api('admin.users', { query: { ...page, role } })`. */
export type PageFetcher<T> = (page: PageRequest) => Promise<PageOf<T>>;

/**
 * One cursor-paged list from the API: the first page on mount, `more()` for the
 * next, `reload()` from the start, and `refreshIfFirstPage()` for live updates
 * that must not throw away pages the reader loaded. A new `fetchPage` (a list
 * with other filters: keep it stable with `useCallback` or at module level)
 * starts again from the first page, and an answer for a list no longer shown
 * is dropped.
 */
export function usePagedList<T>(fetchPage: PageFetcher<T>, pageSize = 20) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pages = useRef(0);
  const latestRequest = useRef(0);
  // Another list: its rows go at once rather than linger until the new page arrives.
  const [shown, setShown] = useState({ fetchPage, pageSize });
  if (shown.fetchPage !== fetchPage || shown.pageSize !== pageSize) {
    setShown({ fetchPage, pageSize });
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
      try {
        const page = await fetchPage(from === null ? { limit: pageSize } : { limit: pageSize, cursor: from });
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
    [fetchPage, pageSize],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const reload = useCallback(() => void load(null), [load]);
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
    reload,
    more: () => void load(cursor),
    /** Retries what failed: the next page when some are loaded, else the first. */
    retry: () => void load(loaded ? cursor : null),
    refreshIfFirstPage,
  };
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;
