import { lazy, useCallback, useState } from 'react';
import { useActiveTabInView } from '../../components/tabs';
import { usePath, Link } from '../../router';
import { BookingForm } from './booking-form';
import { BookingHistory } from './booking-history';
import { Receipt } from './receipt';
import { TrackingView } from './tracking-view';

const DevelopersPage = lazy(() =>
  import('../developers/developers-page').then((module) => ({ default: module.DevelopersPage })),
);

/**
 * Customer area: /customer (book), /customer/history, /customer/bookings/:id
 * (track), /customer/bookings/:id/receipt, /customer/developers (API keys, webhooks). The tab of one booking names it by
 * its reference once it has loaded.
 */
export function CustomerPage() {
  const path = usePath();
  const opened = /^\/customer\/bookings\/(\d+)(\/receipt)?\/?$/.exec(path);
  const bookingId = opened?.[1];
  const receipt = opened?.[2] !== undefined;
  const tab =
    bookingId !== undefined
      ? 'booking'
      : path.startsWith('/customer/history')
        ? 'history'
        : path.startsWith('/customer/developers')
          ? 'developers'
          : 'book';
  const [named, setNamed] = useState<{ id: string; ref: string } | null>(null);
  const onLoaded = useCallback(
    (ref: string) =>
      setNamed((current) =>
        current?.ref === ref && current.id === bookingId ? current : { id: bookingId ?? '', ref },
      ),
    [bookingId],
  );
  const ref = named !== null && named.id === bookingId ? named.ref : null;
  const tabs = useActiveTabInView<HTMLElement>(`${path} ${ref ?? ''}`);
  return (
    <div className="page">
      <nav className="tabs" aria-label="Customer" ref={tabs}>
        <Link
          href="/customer"
          className={tab === 'book' ? 'tab is-active' : 'tab'}
          aria-current={tab === 'book' ? 'page' : undefined}
        >
          New booking
        </Link>
        <Link
          href="/customer/history"
          className={tab === 'history' ? 'tab is-active' : 'tab'}
          aria-current={tab === 'history' ? 'page' : undefined}
          data-testid="history-tab"
        >
          My bookings
        </Link>
        <Link
          href="/customer/developers"
          className={tab === 'developers' ? 'tab is-active' : 'tab'}
          aria-current={tab === 'developers' ? 'page' : undefined}
          data-testid="developers-tab"
        >
          Developers
        </Link>
        {bookingId !== undefined && (
          <span className="tab is-active" aria-current="page" data-testid="booking-tab">
            {receipt ? 'Receipt' : 'Booking'}
            {ref !== null && <span className="mono tab__ref"> {ref}</span>}
          </span>
        )}
      </nav>
      {bookingId !== undefined ? (
        receipt ? (
          <Receipt key={bookingId} bookingId={bookingId} onLoaded={onLoaded} />
        ) : (
          <TrackingView key={bookingId} bookingId={bookingId} onLoaded={onLoaded} />
        )
      ) : tab === 'history' ? (
        <BookingHistory />
      ) : tab === 'developers' ? (
        <DevelopersPage />
      ) : (
        <BookingForm />
      )}
    </div>
  );
}
