import { usePath, Link } from '../../router';
import { BookingForm } from './booking-form';
import { BookingHistory } from './booking-history';
import { TrackingView } from './tracking-view';

/** Customer area: /customer (book), /customer/history, /customer/bookings/:id (track). */
export function CustomerPage() {
  const path = usePath();
  const tracking = /^\/customer\/bookings\/(\d+)/.exec(path);
  const tab = tracking !== null ? 'track' : path.startsWith('/customer/history') ? 'history' : 'book';
  return (
    <div className="page">
      <nav className="tabs" aria-label="Customer">
        <Link href="/customer" className={tab === 'book' ? 'tab is-active' : 'tab'}>
          New booking
        </Link>
        <Link
          href="/customer/history"
          className={tab === 'history' ? 'tab is-active' : 'tab'}
          data-testid="history-tab"
        >
          My bookings
        </Link>
        {tracking !== null && <span className="tab is-active">Tracking #{tracking[1]}</span>}
      </nav>
      {tracking?.[1] !== undefined ? (
        <TrackingView key={tracking[1]} bookingId={tracking[1]} />
      ) : tab === 'history' ? (
        <BookingHistory />
      ) : (
        <BookingForm />
      )}
    </div>
  );
}
