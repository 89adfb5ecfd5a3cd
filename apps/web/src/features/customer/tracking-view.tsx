import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  bookingRefOf,
  type Booking,
  type BookingEvent,
  type BookingStatus,
  type DriverConfirmedEvent,
  type EtaUpdatedEvent,
  type StopEvent,
  type Tracking,
} from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { MapView, type LatLng } from '../../components/map-view';
import { Timeline } from '../../components/timeline';
import { TripFacts } from '../../components/trip-facts';
import { Card, ErrorBanner, formatMoney, formatTime, Spinner, StatusPill } from '../../components/ui';
import { customerMayCancel, isActiveTrip, isTerminal } from '../../domain/booking-status';
import { etaLabel, formatEta } from '../../domain/durations';
import { CancelDialog } from './cancel-dialog';
import { DriverCard, type ShownDriver } from './driver-card';
import { ExpiredOptions } from './expired-options';
import { FinishedActions } from './finished-actions';
import { HandoverPinsPanel, useHandoverPins } from './handover-pins';
import { RateTrip } from './rate-trip';
import { nextHandover, statusEvents, stopsOf, tripMarkers } from './stop-facts';
import { TripStops } from './trip-stops';
import { ShareLinkPanel } from '../share/share-link-panel';

/**
 * Who drives: the tracking answer's driver (it survives a reload and carries
 * the phone), else the live `driverConfirmed` event until the next refetch.
 */
function shownDriver(tracking: Tracking | null, confirmed: DriverConfirmedEvent | null): ShownDriver | null {
  if (tracking?.driver !== undefined) {
    const { driver } = tracking;
    return { name: driver.name, phone: driver.phone, vehicle: driver.vehicle };
  }
  return confirmed === null
    ? null
    : { name: confirmed.driver.name, phone: null, vehicle: confirmed.driver.vehicle };
}

/** The stops card earns its place with several stops, a recipient, or a stop's proof or failure to show. */
function showsStops(booking: Booking): boolean {
  const stops = stopsOf(booking);
  return (
    stops.length > 1 ||
    stops.some((stop) => stop.recipient !== null || stop.proof !== null || stop.status === 'failed')
  );
}

/**
 * Live view of one booking: status timeline, driver on the map, ETA, cancel
 * (with a reason); the stops in order with their proof; the handover PINs;
 * an expired booking offers a way on; a delivered one its receipt.
 * `onLoaded` hears the booking's reference, for the tab that names it.
 */
export function TrackingView({
  bookingId,
  onLoaded,
}: {
  bookingId: string;
  onLoaded?: (ref: string) => void;
}) {
  const { socket, resyncGeneration } = useSocket();
  const [booking, setBooking] = useState<Booking | null>(null);
  const [events, setEvents] = useState<BookingEvent[]>([]);
  const [tracking, setTracking] = useState<Tracking | null>(null);
  const [driver, setDriver] = useState<DriverConfirmedEvent | null>(null);
  const [driverPosition, setDriverPosition] = useState<LatLng | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [cancelOpen, setCancelOpen] = useState(false);
  const lastSeq = useRef(0);

  const loadEvents = useCallback(async () => {
    const page = await api('bookings.events', { params: { id: bookingId } });
    setEvents(page.items);
    lastSeq.current = page.items.reduce((max, e) => Math.max(max, e.seq), 0);
    const latest = page.items[page.items.length - 1];
    if (latest !== undefined) {
      setBooking((current) =>
        current === null || current.seq >= latest.seq
          ? current
          : { ...current, status: latest.status, seq: latest.seq },
      );
    }
  }, [bookingId]);

  const loadTracking = useCallback(async () => {
    const result = await api('bookings.tracking', { params: { id: bookingId } });
    setTracking(result);
    if (result.driverLocation !== null) {
      setDriverPosition({ lat: result.driverLocation.lat, lng: result.driverLocation.lng });
    }
  }, [bookingId]);

  const loadAll = useCallback(async () => {
    setLoadError(null);
    try {
      const [loaded] = await Promise.all([
        api('bookings.get', { params: { id: bookingId } }),
        loadEvents(),
        loadTracking(),
      ]);
      setBooking((current) => (current !== null && current.seq > loaded.seq ? current : loaded));
    } catch (caught) {
      setLoadError(errorMessage(caught));
    }
  }, [bookingId, loadEvents, loadTracking]);

  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  // After a reconnection that lost events, the timeline and position are refetched.
  useEffect(() => {
    if (resyncGeneration > 0) {
      void loadEvents().catch(() => undefined);
      void loadTracking().catch(() => undefined);
    }
  }, [resyncGeneration, loadEvents, loadTracking]);

  useEffect(() => {
    if (socket === null) {
      return;
    }
    const subscribe = () => {
      socket.emit('subscribeBooking', { bookingId });
    };
    if (socket.connected) {
      subscribe();
    }
    const onStatus = (event: { bookingId: string; status: BookingStatus; seq: number; at: string }) => {
      if (event.bookingId !== bookingId || event.seq <= lastSeq.current) {
        return;
      }
      if (event.seq !== lastSeq.current + 1) {
        // A gap: something was missed; the server's list is the truth.
        void loadEvents().catch(() => undefined);
      } else {
        lastSeq.current = event.seq;
        setEvents((current) => [
          ...current,
          { seq: event.seq, status: event.status, at: event.at, actor: { role: 'system', id: null } },
        ]);
        // Shown at once; the refetch brings the event's real actor.
        void loadEvents().catch(() => undefined);
      }
      setBooking((current) =>
        current === null
          ? current
          : { ...current, status: event.status, seq: Math.max(current.seq, event.seq) },
      );
      setTracking((current) => (current === null ? current : { ...current, status: event.status }));
      if (event.status === 'searching') {
        // A driver let the trip go: the search starts again, with no one named.
        setDriver(null);
      }
      void loadTracking().catch(() => undefined);
      // The booking itself changed too (its driver, times): the server's copy, unless a newer one is shown.
      void api('bookings.get', { params: { id: bookingId } })
        .then((loaded) =>
          setBooking((current) => (current !== null && current.seq > loaded.seq ? current : loaded)),
        )
        .catch(() => undefined);
    };
    const onLocation = (event: { bookingId: string; lat: number; lng: number }) => {
      if (event.bookingId === bookingId) {
        setDriverPosition({ lat: event.lat, lng: event.lng });
      }
    };
    const onConfirmed = (event: DriverConfirmedEvent) => {
      if (event.bookingId === bookingId) {
        setDriver(event);
        setTracking((current) => (current === null ? current : { ...current, etaMinutes: event.etaMinutes }));
        // The tracking answer names the driver for good (and gives the phone).
        void loadTracking().catch(() => undefined);
      }
    };
    const onEta = (event: EtaUpdatedEvent) => {
      if (event.bookingId === bookingId) {
        setTracking((current) => (current === null ? current : { ...current, etaMinutes: event.etaMinutes }));
      }
    };
    // A stop moved: the booking carries its status and proof; the events list gains the stop's event.
    const onStop = (event: StopEvent) => {
      if (event.bookingId !== bookingId) {
        return;
      }
      void loadEvents().catch(() => undefined);
      void api('bookings.get', { params: { id: bookingId } })
        .then((loaded) =>
          setBooking((current) => (current !== null && current.seq > loaded.seq ? current : loaded)),
        )
        .catch(() => undefined);
    };
    socket.on('connect', subscribe);
    socket.on('stopArrived', onStop);
    socket.on('stopCompleted', onStop);
    socket.on('stopFailed', onStop);
    socket.on('etaUpdated', onEta);
    socket.on('bookingStatusUpdated', onStatus);
    socket.on('driverLocation', onLocation);
    socket.on('driverConfirmed', onConfirmed);
    return () => {
      socket.off('connect', subscribe);
      socket.off('bookingStatusUpdated', onStatus);
      socket.off('driverLocation', onLocation);
      socket.off('driverConfirmed', onConfirmed);
      socket.off('etaUpdated', onEta);
      socket.off('stopArrived', onStop);
      socket.off('stopCompleted', onStop);
      socket.off('stopFailed', onStop);
      if (socket.connected) {
        socket.emit('unsubscribeBooking', { bookingId });
      }
    };
  }, [socket, bookingId, loadEvents, loadTracking]);

  const status = booking?.status;
  const active = status !== undefined && !isTerminal(status);
  const ref = booking === null ? null : bookingRefOf(booking);
  useEffect(() => {
    if (ref !== null) {
      onLoaded?.(ref);
    }
  }, [ref, onLoaded]);

  // ETA refresh while the trip is live.
  useEffect(() => {
    if (!active) {
      return;
    }
    const timer = window.setInterval(() => void loadTracking().catch(() => undefined), 15_000);
    return () => window.clearInterval(timer);
  }, [active, loadTracking]);

  // PINs exist once a driver holds the booking; each move (a release, a handover) may change them.
  const pinsOn = booking?.handoverPins === true;
  const pinsWanted = pinsOn && booking.driverId !== null && active;
  const pins = useHandoverPins(bookingId, pinsWanted, `${booking?.seq ?? 0}:${booking?.driverId ?? ''}`);
  // A lock from wrong tries raises no live event for the customer: it shows within this interval.
  const reloadPins = pins.reload;
  useEffect(() => {
    if (!pinsWanted) {
      return;
    }
    const timer = window.setInterval(reloadPins, 15_000);
    return () => window.clearInterval(timer);
  }, [pinsWanted, reloadPins]);

  const markers = useMemo(() => {
    if (booking === null) {
      return [];
    }
    const list = tripMarkers(booking, 'stop-marker');
    if (driverPosition !== null && active) {
      list.push({
        id: 'driver',
        kind: 'driver',
        position: driverPosition,
        label: 'Driver',
        smooth: true,
        testId: 'driver-marker',
      });
    }
    return list;
  }, [booking, driverPosition, active]);
  const route = useMemo(
    () =>
      booking === null
        ? undefined
        : stopsOf(booking).length > 1
          ? [booking.pickup, ...stopsOf(booking).map((stop) => stop.location)]
          : [booking.pickup, booking.dropoff],
    [booking],
  );

  if (loadError !== null && booking === null) {
    return <ErrorBanner message={loadError} onRetry={() => void loadAll()} />;
  }
  if (booking === null) {
    return <Spinner label="Loading booking…" />;
  }

  const who = shownDriver(tracking, driver);
  const eta = etaLabel(booking.status);
  // With several stops the live ETA runs to the stop the driver heads for.
  const headsFor = nextHandover(booking);
  const etaName =
    stopsOf(booking).length > 1 && headsFor !== null && headsFor > 0 ? `ETA to stop ${headsFor}` : eta;
  return (
    <div className="grid-2">
      <div className="stack">
        <Card
          title={
            <>
              Booking{' '}
              <span className="mono" data-testid="booking-ref">
                {ref}
              </span>
            </>
          }
          actions={<StatusPill status={booking.status} testId="booking-status" />}
        >
          {booking.status === 'expired' && <ExpiredOptions booking={booking} />}
          <dl className="kv">
            <dt>Price</dt>
            <dd data-testid="booking-price">
              {booking.status === 'expired' ? (
                <span className="muted">No longer valid</span>
              ) : (
                formatMoney(booking.price)
              )}
            </dd>
            <TripFacts booking={booking} />
            {booking.scheduledAt !== null && (
              <>
                <dt>Scheduled for</dt>
                <dd>{formatTime(booking.scheduledAt)}</dd>
              </>
            )}
            {active && eta !== null && (
              <>
                <dt>{etaName}</dt>
                <dd data-testid="eta" data-eta-to={eta === 'ETA to pickup' ? 'pickup' : 'dropoff'}>
                  {formatEta(booking.status, tracking?.etaMinutes ?? null)}
                </dd>
              </>
            )}
          </dl>
          {who !== null && (booking.driverId !== null || isActiveTrip(booking.status)) ? (
            <DriverCard driver={who} callable={isActiveTrip(booking.status)} />
          ) : booking.driverId !== null ? (
            <div className="banner banner--info" data-testid="driver-info">
              A driver is on this trip.
            </div>
          ) : booking.status === 'searching' ? (
            <div className="banner banner--info">Looking for a nearby driver…</div>
          ) : null}
          {!isTerminal(booking.status) && booking.status !== 'scheduled' && (
            <ShareLinkPanel bookingId={booking.id} />
          )}
          {customerMayCancel(booking.status) && (
            <button
              type="button"
              className="btn btn--danger btn--block"
              onClick={() => setCancelOpen(true)}
              data-testid="cancel-booking"
            >
              Cancel booking
            </button>
          )}
          {(booking.status === 'delivered' || booking.status === 'cancelled') && (
            <div className="row row--wrap">
              <FinishedActions booking={booking} testIds={{ receipt: 'receipt-link', again: 'book-again' }} />
            </div>
          )}
        </Card>
        {booking.status === 'delivered' && (
          <Card title="Rate your trip">
            <RateTrip booking={booking} onRated={setBooking} variant="full" />
          </Card>
        )}
        {pinsOn && !isTerminal(booking.status) && (
          <Card title="Handover PINs">
            {booking.driverId === null ? (
              <p className="muted" data-testid="pins-waiting">
                The PINs appear here once a driver takes the booking.
              </p>
            ) : (
              <HandoverPinsPanel booking={booking} state={pins.state} onRetry={pins.reload} />
            )}
          </Card>
        )}
        {showsStops(booking) && (
          <Card title={stopsOf(booking).length > 1 ? `Stops (${stopsOf(booking).length})` : 'Drop-off'}>
            <TripStops stops={stopsOf(booking)} nextSeq={nextHandover(booking)} />
          </Card>
        )}
        <Card title="Progress">
          <Timeline events={statusEvents(events)} status={booking.status} />
        </Card>
      </div>
      <MapView
        markers={markers}
        route={route}
        fitKey={booking.id}
        className="map--tall"
        testId="tracking-map"
      />
      <CancelDialog
        bookingId={booking.id}
        open={cancelOpen}
        onClose={() => setCancelOpen(false)}
        onCancelled={(cancelled) => {
          setCancelOpen(false);
          setBooking(cancelled);
          void loadEvents().catch(() => undefined);
        }}
      />
    </div>
  );
}
