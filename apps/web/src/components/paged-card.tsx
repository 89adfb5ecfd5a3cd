import type { ReactNode } from 'react';
import type { PagedList } from '../api/use-paged-list';
import { Card, Empty, ErrorBanner, Spinner } from './ui';

/**
 * A card around one cursor-paged list: filters and a refresh button in the
 * header, the error with a retry, the empty state, the table (dimmed while a
 * new page loads over it) and "Load more" while the list has a next page.
 */
export function PagedCard<T>({
  title,
  list,
  empty,
  filters,
  notice,
  moreTestId,
  children,
}: {
  title: string;
  list: PagedList<T>;
  /** Shown when the list loaded and has no rows. */
  empty: ReactNode;
  filters?: ReactNode;
  /** Shown under the list's own error (e.g. a failed row action). */
  notice?: ReactNode;
  moreTestId?: string;
  /** The table of `list.items`. */
  children: ReactNode;
}) {
  return (
    <Card
      title={title}
      actions={
        <div className="row">
          {filters}
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={list.reload}
            disabled={list.loading}
          >
            Refresh
          </button>
        </div>
      }
    >
      {list.error !== null && <ErrorBanner message={list.error} onRetry={list.retry} />}
      {notice}
      {list.loaded && !list.loading && list.items.length === 0 && list.error === null && (
        <Empty>{empty}</Empty>
      )}
      {list.items.length > 0 && (
        // A region in the Tab order: on a phone the table scrolls sideways, and the keyboard must reach it.
        <div
          className={list.loading && list.loaded ? 'table-wrap is-refreshing' : 'table-wrap'}
          role="region"
          aria-label={title}
          tabIndex={0}
        >
          {children}
        </div>
      )}
      {list.loading && <Spinner />}
      {!list.loading && list.cursor !== null && (
        <button
          type="button"
          className="btn btn--ghost btn--block"
          onClick={list.more}
          data-testid={moreTestId}
        >
          Load more
        </button>
      )}
    </Card>
  );
}
