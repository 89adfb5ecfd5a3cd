import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  bookingRefOf,
  fallbackBookingRef,
  type AdminBooking,
  type BookingEvent,
  type Tracking,
} from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { ConfirmDialog } from '../../components/dialog';
import { MapView } from '../../components/map-view';
import { RowMenu } from '../../components/row-menu';
import { Timeline } from '../../components/timeline';
import { TripFacts } from '../../components/trip-facts';
import { Card, ErrorBanner, formatMoney, formatTime, Spinner, StatusPill } from '../../components/ui';
import { isActiveTrip, isTerminal } from '../../domain/booking-status';
import { vehicleLabel } from '../../domain/vehicles';
import { Link } from '../../router';
import { nextHandover, statusEvents, stopsOf, tripMarkers } from '../customer/stop-facts';
import { TripStops } from '../customer/trip-stops';
import { AdminHandoverPins, HandoverAudit } from './booking-handovers';

interface Detail {
  booking: AdminBooking;
  events: BookingEvent[];
  tracking: Tracking;
}

/** Why an admin's cancellation is recorded, so the customer's history says who ended the booking. */
const ADMIN_CANCEL_REASON = 'Cancelled by operations';

/**
 * One booking for an admin: who booked and who drives, the route and goods,
 * its stops with their proof or failure, its handover PINs (locked ones unlocked
 * here), its timeline with the stop and PIN events (`GET /v1/bookings/:id/events`, actors named) and a map with the
 * driver's live position while the trip is on; cancelling sits behind a menu.
 */
export function BookingDetail({ bookingId }: { bookingId: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      // The admin list names the customer and driver; a booking's own fallback code finds it by ID.
      const [listed, events, tracking] = await Promise.all([
        api('admin.bookings', { query: { ref: fallbackBookingRef(bookingId) } }),
        api('bookings.events', { params: { id: bookingId } }),
        api('bookings.tracking', { params: { id: bookingId } }),
      ]);
      const booking = listed.items[0];
      if (booking === undefined) {
        setError('No booking has this ID.');
        return;
      }
      setDetail({ booking, events: events.items, tracking });
      setError(null);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [bookingId]);

  useEffect(() => {
    void load();
  }, [load]);

  const active = detail !== null && isActiveTrip(detail.booking.status);
  // The driver's position moves while the trip is on.
  useEffect(() => {
    if (!active) {
      return;
    }
    const timer = window.setInterval(() => void load(), 10_000);
    return () => window.clearInterval(timer);
  }, [active, load]);

  const markers = useMemo(() => {
    if (detail === null) {
      return [];
    }
    const { booking, tracking } = detail;
    const list = tripMarkers(booking, 'detail-stop-marker');
    if (tracking.driverLocation !== null) {
      list.push({
        id: 'driver',
        kind: 'driver',
        position: tracking.driverLocation,
        heading: tracking.driverLocation.heading,
        label: booking.driverName ?? 'Driver',
        smooth: true,
        testId: 'detail-driver-marker',
      });
    }
    return list;
  }, [detail]);
  const route = useMemo(() => {
    if (detail === null) {
      return undefined;
    }
    const stops = stopsOf(detail.booking);
    return stops.length > 1
      ? [detail.booking.pickup, ...stops.map((stop) => stop.location)]
      : [detail.booking.pickup, detail.booking.dropoff];
  }, [detail]);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      await api('bookings.cancel', { params: { id: bookingId }, body: { reason: ADMIN_CANCEL_REASON } });
      setConfirming(false);
      await load();
    } catch (caught) {
      setCancelError(errorMessage(caught));
    } finally {
      setCancelling(false);
    }
  };

  const back = (
    <Link href="/admin/bookings" className="btn btn--ghost btn--small">
      ← All bookings
    </Link>
  );
  if (detail === null) {
    return error === null ? (
      <Spinner label="Loading booking…" />
    ) : (
      <div className="stack">
        <div className="row">{back}</div>
        <ErrorBanner message={error} onRetry={() => void load()} />
      </div>
    );
  }
  const { booking, events, tracking } = detail;
  const ref = bookingRefOf(booking);
  const actorName = (actor: BookingEvent['actor']): string =>
    actor.id === booking.customerId
      ? `${booking.customerName} (customer)`
      : actor.id !== null && actor.id === booking.driverId && booking.driverName !== null
        ? `${booking.driverName} (driver)`
        : actor.role;
  return (
    <div className="stack" data-testid="booking-detail" data-booking-id={booking.id}>
      <div className="booking-detail__head">
        {back}
        <h1>
          Booking{' '}
          <span className="mono" data-testid="detail-ref">
            {ref}
          </span>
        </h1>
        <StatusPill status={booking.status} testId="detail-status" />
        {!isTerminal(booking.status) && (
          <RowMenu
            label={`Actions for booking ${ref}`}
            items={[
              {
                label: 'Cancel booking…',
                danger: true,
                onSelect: () => setConfirming(true),
                testId: 'detail-cancel',
              },
            ]}
            testId="detail-actions"
          />
        )}
      </div>
      {error !== null && <ErrorBanner message={`Could not refresh: ${error}`} onRetry={() => void load()} />}
      <div className="grid-2">
        <div className="stack">
          <Card title="Booking">
            <dl className="kv">
              <dt>Customer</dt>
              <dd data-testid="detail-customer">{booking.customerName}</dd>
              <dt>Driver</dt>
              <dd data-testid="detail-driver">
                {tracking.driver === undefined ? (
                  (booking.driverName ?? <span className="muted">None yet</span>)
                ) : (
                  <>
                    {tracking.driver.name} · {vehicleLabel(tracking.driver.vehicle.type)}{' '}
                    <span className="mono">{tracking.driver.vehicle.plate}</span>
                  </>
                )}
              </dd>
              <TripFacts booking={booking} />
              <dt>Price</dt>
              <dd>
                {formatMoney(booking.price)}
                {booking.surgeMultiplier > 1 && ` (surge ×${booking.surgeMultiplier.toFixed(2)})`}
              </dd>
              <dt>Booked</dt>
              <dd>{formatTime(booking.createdAt)}</dd>
              {booking.scheduledAt !== null && (
                <>
                  <dt>Scheduled for</dt>
                  <dd>{formatTime(booking.scheduledAt)}</dd>
                </>
              )}
              <dt>ID</dt>
              <dd className="mono">{booking.id}</dd>
            </dl>
          </Card>
          {stopsOf(booking).length > 0 && (
            <Card title={stopsOf(booking).length > 1 ? `Stops (${stopsOf(booking).length})` : 'Drop-off'}>
              <TripStops stops={stopsOf(booking)} nextSeq={nextHandover(booking)} testId="detail-stops" />
            </Card>
          )}
          <Card title="Handover PINs">
            <AdminHandoverPins booking={booking} onUnlocked={() => void load()} />
          </Card>
          <Card title="Timeline">
            <Timeline events={statusEvents(events)} status={booking.status} actorName={actorName} />
            <h3 className="audit__title">Stops and PINs</h3>
            <HandoverAudit events={events} stopCount={stopsOf(booking).length} actorName={actorName} />
          </Card>
        </div>
        <MapView
          markers={markers}
          route={route}
          fitKey={booking.id}
          className="map--tall"
          testId="detail-map"
          label={`Map of booking ${ref}`}
        />
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Cancel booking ${ref}?`}
        message={
          <p>
            {booking.customerName}&apos;s booking ends now
            {booking.driverName === null ? '' : ` and ${booking.driverName} is taken off it`}. The customer is
            told; this cannot be undone.
          </p>
        }
        confirmLabel="Cancel booking"
        busyLabel="Cancelling…"
        busy={cancelling}
        error={cancelError}
        onConfirm={() => void cancel()}
        onClose={() => {
          setConfirming(false);
          setCancelError(null);
        }}
        testId="detail-cancel-dialog"
      />
    </div>
  );
}
