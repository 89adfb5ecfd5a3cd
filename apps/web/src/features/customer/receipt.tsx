import { useCallback, useEffect, useState } from 'react';
import { bookingRefOf, type Booking, type BookingEvent, type Tracking } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { TripFacts } from '../../components/trip-facts';
import { ErrorBanner, formatMoney, formatTime, Spinner } from '../../components/ui';
import { Link, navigate } from '../../router';
import { againPath } from './book-again';
import { stopsOf } from './stop-facts';
import { TripStops } from './trip-stops';

interface ReceiptData {
  booking: Booking;
  events: BookingEvent[];
  tracking: Tracking;
}

/** When the booking first reached `status`, from its events. */
function reachedAt(events: readonly BookingEvent[], status: BookingEvent['status']): string | null {
  return events.find((event) => event.status === status)?.at ?? null;
}

/**
 * The receipt of a delivered trip, laid out to print (the print sheet hides
 * the app's frame): reference, route, vehicle and driver, times, each stop
 * with its proof of delivery (or why it failed), fare.
 */
export function Receipt({ bookingId, onLoaded }: { bookingId: string; onLoaded?: (ref: string) => void }) {
  const [data, setData] = useState<ReceiptData | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const [booking, events, tracking] = await Promise.all([
        api('bookings.get', { params: { id: bookingId } }),
        api('bookings.events', { params: { id: bookingId } }),
        api('bookings.tracking', { params: { id: bookingId } }),
      ]);
      setData({ booking, events: events.items, tracking });
      onLoaded?.(bookingRefOf(booking));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [bookingId, onLoaded]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error !== null) {
    return <ErrorBanner message={error} onRetry={() => void load()} />;
  }
  if (data === null) {
    return <Spinner label="Loading receipt…" />;
  }
  const { booking, events, tracking } = data;
  const ref = bookingRefOf(booking);
  const back = (
    <Link href={`/customer/bookings/${booking.id}`} className="btn btn--ghost">
      Back to the booking
    </Link>
  );
  if (booking.status !== 'delivered') {
    return (
      <div className="card stack" data-testid="receipt-pending">
        <p>
          Booking <span className="mono">{ref}</span> has no receipt yet: a receipt is issued once the goods
          are delivered.
        </p>
        <div className="row">{back}</div>
      </div>
    );
  }
  const delivered = reachedAt(events, 'delivered') ?? booking.updatedAt;
  const collected = reachedAt(events, 'goods_collected');
  return (
    <article className="receipt card" data-testid="receipt" aria-labelledby="receipt-title">
      <header className="receipt__head">
        <div>
          <div className="receipt__brand">Loadline</div>
          <h1 id="receipt-title">Receipt</h1>
        </div>
        <dl className="receipt__ids">
          <dt>Booking</dt>
          <dd className="mono" data-testid="receipt-ref">
            {ref}
          </dd>
          <dt>Delivered</dt>
          <dd>{formatTime(delivered)}</dd>
        </dl>
      </header>
      <section className="receipt__section">
        <h2>Trip</h2>
        <dl className="kv">
          <TripFacts booking={booking} />
          <dt>Booked</dt>
          <dd>{formatTime(booking.createdAt)}</dd>
          {collected !== null && (
            <>
              <dt>Picked up</dt>
              <dd>{formatTime(collected)}</dd>
            </>
          )}
          {tracking.driver !== undefined && (
            <>
              <dt>Driver</dt>
              <dd data-testid="receipt-driver">
                {tracking.driver.name} · <span className="mono">{tracking.driver.vehicle.plate}</span>
              </dd>
            </>
          )}
        </dl>
      </section>
      {stopsOf(booking).length > 0 && (
        <section className="receipt__section">
          <h2>{stopsOf(booking).length > 1 ? 'Stops' : 'Delivery'}</h2>
          <TripStops stops={stopsOf(booking)} nextSeq={null} testId="receipt-stops" />
        </section>
      )}
      <section className="receipt__section">
        <h2>Fare</h2>
        <dl className="kv receipt__fare">
          {booking.surgeMultiplier > 1 && (
            <>
              <dt>Demand pricing</dt>
              <dd>×{booking.surgeMultiplier.toFixed(2)} included</dd>
            </>
          )}
          <dt>Total</dt>
          <dd className="receipt__total" data-testid="receipt-total">
            {formatMoney(booking.price)}
          </dd>
        </dl>
        <p className="muted receipt__note">
          The price quoted when you booked: it does not change after booking.
        </p>
      </section>
      <footer className="receipt__actions no-print">
        <button type="button" className="btn btn--primary" onClick={() => window.print()}>
          Print or save as PDF
        </button>
        <button type="button" className="btn btn--ghost" onClick={() => navigate(againPath(booking.id))}>
          Book again
        </button>
        {back}
      </footer>
    </article>
  );
}
