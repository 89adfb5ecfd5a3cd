import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  Booking,
  BookingEvent,
  BookingStatus,
  DriverConfirmedEvent,
  Tracking,
} from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { MapView, type LatLng, type MapMarker } from '../../components/map-view';
import {
  Card,
  ErrorBanner,
  formatLatLng,
  formatMoney,
  formatTime,
  Spinner,
  StatusPill,
} from '../../components/ui';
import { customerMayCancel, isTerminal, STATUS_FLOW, statusLabel } from '../../domain/booking-status';
import { vehicleLabel } from '../../domain/vehicles';
import { RateTrip } from './rate-trip';

function Timeline({ events, status }: { events: BookingEvent[]; status: BookingStatus }) {
  const reached = new Map(events.map((e) => [e.status, e]));
  const terminalOff = status === 'cancelled' || status === 'expired';
  const flow = terminalOff
    ? events.map((e) => e.status)
    : STATUS_FLOW.filter((s) => s !== 'searching' || !reached.has('scheduled') || reached.has('searching'));
  const steps =
    reached.has('scheduled') && !flow.includes('scheduled') ? ['scheduled' as const, ...flow] : flow;
  return (
    <ol className="timeline" data-testid="timeline">
      {steps.map((step) => {
        const event = reached.get(step);
        const current = step === status;
        return (
          <li
            key={step}
            className={current ? 'is-current' : event !== undefined ? 'is-done' : 'is-pending'}
            data-testid="timeline-step"
            data-status={step}
            data-state={current ? 'current' : event !== undefined ? 'done' : 'pending'}
          >
            {statusLabel(step)}
            {event !== undefined && (
              <time dateTime={event.at}>
                {formatTime(event.at)} · {event.actor.role}
              </time>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Live view of one booking: status timeline, driver on the map, ETA, cancel. */
export function TrackingView({ bookingId }: { bookingId: string }) {
  const { socket, resyncGeneration } = useSocket();
  const [booking, setBooking] = useState<Booking | null>(null);
  const [events, setEvents] = useState<BookingEvent[]>([]);
  const [tracking, setTracking] = useState<Tracking | null>(null);
  const [driver, setDriver] = useState<DriverConfirmedEvent | null>(null);
  const [driverPosition, setDriverPosition] = useState<LatLng | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
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
      void loadTracking().catch(() => undefined);
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
      }
    };
    socket.on('connect', subscribe);
    socket.on('bookingStatusUpdated', onStatus);
    socket.on('driverLocation', onLocation);
    socket.on('driverConfirmed', onConfirmed);
    return () => {
      socket.off('connect', subscribe);
      socket.off('bookingStatusUpdated', onStatus);
      socket.off('driverLocation', onLocation);
      socket.off('driverConfirmed', onConfirmed);
      if (socket.connected) {
        socket.emit('unsubscribeBooking', { bookingId });
      }
    };
  }, [socket, bookingId, loadEvents, loadTracking]);

  const status = booking?.status;
  const active = status !== undefined && !isTerminal(status);

  // ETA refresh while the trip is live.
  useEffect(() => {
    if (!active) {
      return;
    }
    const timer = window.setInterval(() => void loadTracking().catch(() => undefined), 15_000);
    return () => window.clearInterval(timer);
  }, [active, loadTracking]);

  const markers = useMemo(() => {
    if (booking === null) {
      return [];
    }
    const list: MapMarker[] = [
      { id: 'pickup', kind: 'pickup', position: booking.pickup, label: 'Pickup' },
      { id: 'dropoff', kind: 'dropoff', position: booking.dropoff, label: 'Drop-off' },
    ];
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
  const route = useMemo(() => (booking === null ? undefined : [booking.pickup, booking.dropoff]), [booking]);

  const cancel = async () => {
    if (!window.confirm('Cancel this booking?')) {
      return;
    }
    setCancelling(true);
    setActionError(null);
    try {
      const updated = await api('bookings.cancel', { params: { id: bookingId }, body: {} });
      setBooking(updated);
      await loadEvents();
    } catch (caught) {
      setActionError(errorMessage(caught));
    } finally {
      setCancelling(false);
    }
  };

  if (loadError !== null && booking === null) {
    return <ErrorBanner message={loadError} onRetry={() => void loadAll()} />;
  }
  if (booking === null) {
    return <Spinner label="Loading booking…" />;
  }

  return (
    <div className="grid-2">
      <div className="stack">
        <Card
          title={
            <>
              Booking <span className="mono">#{booking.id}</span>
            </>
          }
          actions={<StatusPill status={booking.status} testId="booking-status" />}
        >
          {actionError !== null && <ErrorBanner message={actionError} />}
          <dl className="kv">
            <dt>Price</dt>
            <dd data-testid="booking-price">{formatMoney(booking.price)}</dd>
            <dt>From</dt>
            <dd className="kv__text">{booking.pickup.address ?? formatLatLng(booking.pickup)}</dd>
            <dt>To</dt>
            <dd className="kv__text">{booking.dropoff.address ?? formatLatLng(booking.dropoff)}</dd>
            <dt>Vehicle</dt>
            <dd>{vehicleLabel(booking.vehicleType)}</dd>
            {booking.goods !== null && (
              <>
                <dt>Goods</dt>
                <dd className="kv__text" data-testid="booking-goods">
                  {booking.goods.description} · {booking.goods.weightKg.toLocaleString()} kg
                </dd>
              </>
            )}
            <dt>Distance</dt>
            <dd>{booking.distanceKm.toFixed(1)} km</dd>
            {booking.scheduledAt !== null && (
              <>
                <dt>Scheduled for</dt>
                <dd>{formatTime(booking.scheduledAt)}</dd>
              </>
            )}
            {active && (
              <>
                <dt>ETA</dt>
                <dd data-testid="eta">
                  {tracking === null || tracking.etaMinutes === null
                    ? '—'
                    : `${Math.max(1, Math.round(tracking.etaMinutes))} min`}
                </dd>
              </>
            )}
          </dl>
          {driver !== null ? (
            <div className="banner banner--info" data-testid="driver-info">
              <span>
                <strong>{driver.driver.name}</strong> · {vehicleLabel(driver.driver.vehicle.type)}{' '}
                <span className="mono">{driver.driver.vehicle.plate}</span>
              </span>
            </div>
          ) : booking.driverId !== null ? (
            <div className="banner banner--info" data-testid="driver-info">
              Driver <span className="mono">#{booking.driverId}</span> is on this trip.
            </div>
          ) : booking.status === 'searching' ? (
            <div className="banner banner--info">Looking for a nearby driver…</div>
          ) : null}
          {customerMayCancel(booking.status) && (
            <button
              type="button"
              className="btn btn--danger btn--block"
              onClick={() => void cancel()}
              disabled={cancelling}
              data-testid="cancel-booking"
            >
              {cancelling ? 'Cancelling…' : 'Cancel booking'}
            </button>
          )}
        </Card>
        {booking.status === 'delivered' && (
          <Card title="Rate your trip">
            <RateTrip booking={booking} onRated={setBooking} variant="full" />
          </Card>
        )}
        <Card title="Progress">
          <Timeline events={events} status={booking.status} />
        </Card>
      </div>
      <MapView
        markers={markers}
        route={route}
        fitKey={booking.id}
        className="map--tall"
        testId="tracking-map"
      />
    </div>
  );
}
