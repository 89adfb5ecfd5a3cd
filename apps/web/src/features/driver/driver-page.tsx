import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  AvailabilityResponse,
  Booking,
  BookingStatus,
  Coordinates,
  DriverJob,
  DriverStats,
  Goods,
  MeResponse,
  Money,
  Offer,
  VehicleType,
} from '@loadline/contracts';
import { api, errorMessage, query, type PageOf } from '../../api/client';
import { useUser } from '../../api/session';
import { emitWithAck, useSocket } from '../../api/socket';
import { usePagedList } from '../../api/use-paged-list';
import { MapView, type LatLng, type MapMarker } from '../../components/map-view';
import {
  Card,
  Empty,
  ErrorBanner,
  formatLatLng,
  formatMoney,
  formatTime,
  Spinner,
  statusLabel,
  StatusPill,
  vehicleLabel,
} from '../../components/ui';

interface ActiveJob {
  bookingId: string;
  status: BookingStatus;
  pickup: Coordinates;
  dropoff: Coordinates;
  price: Money;
  vehicleType: VehicleType;
  distanceKm: number;
  /** From the booking; undefined until it is loaded (the jobs list does not carry it). */
  goods?: Goods | null;
}

const ACTIVE: readonly BookingStatus[] = [
  'driver_assigned',
  'en_route_to_pickup',
  'arrived_at_pickup',
  'goods_collected',
  'in_transit',
];
const NEXT: Partial<Record<BookingStatus, BookingStatus>> = {
  driver_assigned: 'en_route_to_pickup',
  en_route_to_pickup: 'arrived_at_pickup',
  arrived_at_pickup: 'goods_collected',
  goods_collected: 'in_transit',
  in_transit: 'delivered',
};
const NEXT_LABEL: Partial<Record<BookingStatus, string>> = {
  en_route_to_pickup: 'Start driving to pickup',
  arrived_at_pickup: "I've arrived at pickup",
  goods_collected: 'Goods collected',
  in_transit: 'Start delivery',
  delivered: 'Mark delivered',
};
const DEFAULT_POSITION: LatLng = { lat: 12.9716, lng: 77.5946 };
/** Simulated speed: brisk enough to watch a trip in a minute or two. */
const SIM_STEP_METERS = 120;

function fromBooking(b: Booking): ActiveJob {
  return {
    bookingId: b.id,
    status: b.status,
    pickup: b.pickup,
    dropoff: b.dropoff,
    price: b.price,
    vehicleType: b.vehicleType,
    distanceKm: b.distanceKm,
    goods: b.goods,
  };
}

function metersBetween(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

function headingBetween(a: LatLng, b: LatLng): number {
  const deg = (Math.atan2(b.lng - a.lng, b.lat - a.lat) * 180) / Math.PI;
  return (deg + 360) % 360;
}

function Countdown({ expiresAt, onExpire }: { expiresAt: string; onExpire: () => void }) {
  const end = new Date(expiresAt).getTime();
  const [now, setNow] = useState(() => Date.now());
  const total = useRef(Math.max(1, end - Date.now()));
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, []);
  const left = Math.max(0, end - now);
  useEffect(() => {
    if (left === 0) {
      onExpire();
    }
  }, [left, onExpire]);
  return (
    <div className="offer__timer">
      <span className="offer__countdown" data-testid="offer-countdown">
        {Math.ceil(left / 1000)}s left
      </span>
      <div className="offer__bar">
        <span style={{ width: `${(left / total.current) * 100}%` }} />
      </div>
    </div>
  );
}

function OfferCard({
  offer,
  onAccept,
  onReject,
  onExpire,
  busy,
}: {
  offer: Offer;
  onAccept: () => void;
  onReject: () => void;
  onExpire: () => void;
  busy: boolean;
}) {
  return (
    <div className="offer" data-testid="offer">
      <div className="spread">
        <strong className="price" style={{ fontSize: '1.4rem' }}>
          {formatMoney(offer.price)}
        </strong>
        <Countdown expiresAt={offer.expiresAt} onExpire={onExpire} />
      </div>
      <div className="muted">
        {vehicleLabel(offer.vehicleType)} · trip {offer.distanceKm.toFixed(1)} km · pickup{' '}
        {offer.pickupDistanceKm.toFixed(1)} km away
      </div>
      {(offer.pickup.address !== undefined || offer.dropoff.address !== undefined) && (
        <div className="offer__route">
          {offer.pickup.address ?? formatLatLng(offer.pickup)} →{' '}
          {offer.dropoff.address ?? formatLatLng(offer.dropoff)}
        </div>
      )}
      <div className="row">
        <button
          type="button"
          className="btn btn--primary"
          style={{ flex: 2 }}
          disabled={busy}
          onClick={onAccept}
          data-testid="accept-offer"
        >
          Accept
        </button>
        <button
          type="button"
          className="btn btn--ghost"
          style={{ flex: 1 }}
          disabled={busy}
          onClick={onReject}
          data-testid="reject-offer"
        >
          Reject
        </button>
      </div>
    </div>
  );
}

function DriverHistory({ refreshKey }: { refreshKey: number }) {
  const [stats, setStats] = useState<DriverStats | null>(null);
  const [statsError, setStatsError] = useState<string | null>(null);
  const list = usePagedList<DriverJob>('/v1/driver/jobs', 10);
  const { reload } = list;
  const firstRender = useRef(true);

  const loadStats = useCallback(async () => {
    setStatsError(null);
    try {
      setStats(await api<DriverStats>('GET', '/v1/driver/stats'));
    } catch (caught) {
      setStatsError(errorMessage(caught));
    }
  }, []);

  useEffect(() => {
    void loadStats();
    // The job list loads itself on mount; later refreshes reload it with the stats.
    if (firstRender.current) {
      firstRender.current = false;
    } else {
      reload();
    }
  }, [loadStats, refreshKey]);

  const error = list.error ?? statsError;
  const jobs = list.items;
  const loading = list.loading;

  return (
    <Card title="Your trips">
      {error !== null && (
        <ErrorBanner
          message={error}
          onRetry={() => {
            void loadStats();
            list.reload();
          }}
        />
      )}
      {stats !== null && (
        <div className="kpis" data-testid="driver-stats" style={{ marginBottom: '0.75rem' }}>
          <div className="kpi">
            <div className="kpi__label">Trips</div>
            <div className="kpi__value">{stats.trips}</div>
          </div>
          <div className="kpi">
            <div className="kpi__label">Earnings</div>
            <div className="kpi__value">{formatMoney(stats.earnings)}</div>
          </div>
          <div className="kpi">
            <div className="kpi__label">Acceptance</div>
            <div className="kpi__value">
              {stats.acceptanceRate === null ? '—' : `${Math.round(stats.acceptanceRate * 100)}%`}
            </div>
          </div>
          <div className="kpi">
            <div className="kpi__label">Rating</div>
            <div className="kpi__value">{stats.rating === null ? '—' : stats.rating.toFixed(1)}</div>
          </div>
        </div>
      )}
      {!loading && jobs.length === 0 && error === null && (
        <Empty>No trips yet. Go online to get offers.</Empty>
      )}
      <ul className="list" data-testid="job-history">
        {jobs.map((job) => (
          <li key={job.bookingId} className="list__item">
            <span className="list__main">
              <strong>
                {formatMoney(job.price)} · {job.distanceKm.toFixed(1)} km
              </strong>
              <small>
                {formatTime(job.assignedAt)} · #{job.bookingId}
              </small>
            </span>
            <StatusPill status={job.status} />
          </li>
        ))}
      </ul>
      {loading && <Spinner />}
      {!loading && list.cursor !== null && (
        <button type="button" className="btn btn--ghost btn--block" onClick={list.more}>
          Load more
        </button>
      )}
    </Card>
  );
}

/** Driver area: availability, live offers, the active job with its next-status button, simulated GPS. */
export function DriverPage() {
  const user = useUser();
  const { socket, state: connection, resyncGeneration } = useSocket();
  const [online, setOnline] = useState<boolean | null>(user.driver?.online ?? null);
  const [togglingOnline, setTogglingOnline] = useState(false);
  const [offers, setOffers] = useState<Offer[]>([]);
  const [job, setJob] = useState<ActiveJob | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [simulate, setSimulate] = useState(false);
  const [position, setPosition] = useState<LatLng | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const positionRef = useRef<LatLng | null>(null);
  positionRef.current = position;

  const loadState = useCallback(async () => {
    setError(null);
    try {
      const [me, offerList, jobs] = await Promise.all([
        api<MeResponse>('GET', '/v1/me'),
        api<{ items: Offer[] }>('GET', '/v1/driver/offers'),
        api<PageOf<DriverJob>>('GET', `/v1/driver/jobs${query({ limit: 10 })}`),
      ]);
      setOnline(me.user.driver?.online ?? false);
      setOffers(offerList.items.filter((o) => new Date(o.expiresAt).getTime() > Date.now()));
      const current = jobs.items.find((j) => ACTIVE.includes(j.status));
      if (current !== undefined) {
        // What to carry is on the booking, not the jobs list.
        void api<Booking>('GET', `/v1/bookings/${current.bookingId}`)
          .then((booking) =>
            setJob((job) =>
              job !== null && job.bookingId === booking.id ? { ...job, goods: booking.goods } : job,
            ),
          )
          .catch(() => undefined);
      }
      setJob(
        current === undefined
          ? null
          : {
              bookingId: current.bookingId,
              status: current.status,
              pickup: current.pickup,
              dropoff: current.dropoff,
              price: current.price,
              vehicleType: current.vehicleType,
              distanceKm: current.distanceKm,
            },
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void loadState();
  }, [loadState, resyncGeneration]);

  // Live offers and job changes.
  useEffect(() => {
    if (socket === null) {
      return;
    }
    const onOffer = (offer: Offer) => {
      setOffers((current) => [...current.filter((o) => o.bookingId !== offer.bookingId), offer]);
    };
    const onRevoked = (event: { bookingId: string; reason: string }) => {
      setOffers((current) => current.filter((o) => o.bookingId !== event.bookingId));
    };
    const onStatus = (event: { bookingId: string; status: BookingStatus }) => {
      setJob((current) => {
        if (current === null || current.bookingId !== event.bookingId) {
          return current;
        }
        if (!ACTIVE.includes(event.status)) {
          setNotice(
            event.status === 'cancelled'
              ? 'The customer cancelled this job.'
              : `Job ${statusLabel(event.status).toLowerCase()}.`,
          );
          setHistoryKey((k) => k + 1);
          return null;
        }
        return { ...current, status: event.status };
      });
    };
    socket.on('bookingOffer', onOffer);
    socket.on('offerRevoked', onRevoked);
    socket.on('bookingStatusUpdated', onStatus);
    return () => {
      socket.off('bookingOffer', onOffer);
      socket.off('offerRevoked', onRevoked);
      socket.off('bookingStatusUpdated', onStatus);
    };
  }, [socket]);

  const sendPosition = useCallback(
    (next: LatLng, heading?: number, speedKmh?: number) => {
      if (socket === null || !socket.connected) {
        return;
      }
      // `at` is left to the server (now): a browser's clock can be off, and the position is live anyway.
      const payload = {
        lat: next.lat,
        lng: next.lng,
        ...(heading === undefined ? {} : { heading }),
        ...(speedKmh === undefined ? {} : { speedKmh }),
      };
      socket.emit('driverLocationUpdate', payload, (ack) => {
        if (!ack.ok) {
          setError(ack.error.message);
        }
      });
    },
    [socket],
  );

  // Simulated GPS: one update a second, straight toward the next target (pickup until the goods are on board, then drop-off).
  const target =
    job === null
      ? null
      : job.status === 'driver_assigned' ||
          job.status === 'en_route_to_pickup' ||
          job.status === 'arrived_at_pickup'
        ? job.pickup
        : job.status === 'goods_collected' || job.status === 'in_transit'
          ? job.dropoff
          : null;
  const targetRef = useRef<LatLng | null>(target);
  targetRef.current = target;
  useEffect(() => {
    if (!simulate) {
      return;
    }
    const tick = () => {
      const from = positionRef.current ?? DEFAULT_POSITION;
      const goal = targetRef.current;
      let next = from;
      let heading: number | undefined;
      let speed = 0;
      if (goal !== null) {
        const distance = metersBetween(from, goal);
        heading = headingBetween(from, goal);
        if (distance <= SIM_STEP_METERS) {
          next = { lat: goal.lat, lng: goal.lng };
          speed = distance * 3.6;
        } else {
          const f = SIM_STEP_METERS / distance;
          next = { lat: from.lat + (goal.lat - from.lat) * f, lng: from.lng + (goal.lng - from.lng) * f };
          speed = Math.min(300, SIM_STEP_METERS * 3.6);
        }
      }
      setPosition(next);
      sendPosition(next, heading === undefined ? undefined : Math.round(heading) % 360, Math.round(speed));
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [simulate, sendPosition]);

  // Dispatch offers jobs only to drivers whose position is recent: while online and not moving
  // by simulation, the app re-reports where the driver is every 30 seconds, as a phone's GPS would.
  useEffect(() => {
    if (online !== true || simulate) {
      return;
    }
    const timer = window.setInterval(() => {
      if (positionRef.current !== null) {
        sendPosition(positionRef.current);
      }
    }, 30_000);
    return () => window.clearInterval(timer);
  }, [online, simulate, sendPosition]);

  const toggleOnline = async () => {
    const next = !(online ?? false);
    setTogglingOnline(true);
    setError(null);
    try {
      const result = await api<AvailabilityResponse>('PUT', '/v1/driver/availability', {
        body: { online: next },
      });
      setOnline(result.online);
      if (result.online && positionRef.current === null) {
        // Dispatch needs a position; start from the default until GPS or the map gives one.
        const start = DEFAULT_POSITION;
        setPosition(start);
        sendPosition(start);
      }
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setTogglingOnline(false);
    }
  };

  const dropOffer = useCallback((bookingId: string) => {
    setOffers((current) => current.filter((o) => o.bookingId !== bookingId));
  }, []);

  const accept = async (offer: Offer) => {
    setBusy(true);
    setError(null);
    try {
      const booking = await api<Booking>('POST', `/v1/driver/offers/${offer.bookingId}/accept`, { body: {} });
      setJob(fromBooking(booking));
      setOffers([]);
      setNotice(null);
    } catch (caught) {
      setError(errorMessage(caught));
      dropOffer(offer.bookingId);
    } finally {
      setBusy(false);
    }
  };

  const reject = async (offer: Offer) => {
    dropOffer(offer.bookingId);
    try {
      await api<undefined>('POST', `/v1/driver/offers/${offer.bookingId}/reject`, { body: {} });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const advance = async () => {
    if (job === null) {
      return;
    }
    const next = NEXT[job.status];
    if (next === undefined) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let booking: Booking;
      if (socket !== null && socket.connected) {
        const result = await emitWithAck<{ booking: Booking }>(socket, (ack) =>
          socket.emit('bookingStatusChanged', { bookingId: job.bookingId, status: next }, ack),
        );
        booking = result.booking;
      } else {
        booking = await api<Booking>('POST', `/v1/bookings/${job.bookingId}/status`, {
          body: { status: next },
        });
      }
      if (ACTIVE.includes(booking.status)) {
        setJob(fromBooking(booking));
      } else {
        setJob(null);
        setNotice(`Delivered. ${formatMoney(booking.price)} added to your earnings.`);
        setHistoryKey((k) => k + 1);
      }
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const markers = useMemo(() => {
    const list: MapMarker[] = [];
    if (job !== null) {
      list.push({ id: 'pickup', kind: 'pickup', position: job.pickup, label: 'Pickup' });
      list.push({ id: 'dropoff', kind: 'dropoff', position: job.dropoff, label: 'Drop-off' });
    } else {
      for (const offer of offers) {
        list.push({
          id: `offer-${offer.bookingId}`,
          kind: 'pickup',
          position: offer.pickup,
          label: 'Offer pickup',
        });
      }
    }
    if (position !== null) {
      list.push({ id: 'me', kind: 'driver', position, label: 'You', smooth: true, testId: 'driver-marker' });
    }
    return list;
  }, [job, offers, position]);
  const route = useMemo(() => {
    if (job === null) {
      return undefined;
    }
    return position === null
      ? [job.pickup, job.dropoff]
      : target === job.pickup
        ? [position, job.pickup, job.dropoff]
        : [position, job.dropoff];
  }, [job, position, target]);

  const nextStatus = job === null ? undefined : NEXT[job.status];

  if (loading) {
    return <Spinner label="Loading your shift…" />;
  }

  return (
    <div className="page">
      <div className="grid-2">
        <div className="stack">
          <Card>
            <div className="spread">
              <label className="switch">
                <input
                  type="checkbox"
                  checked={online ?? false}
                  disabled={togglingOnline || online === null}
                  onChange={() => void toggleOnline()}
                  data-testid="online-toggle"
                />
                <span data-testid="online-state">{online === true ? 'Online' : 'Offline'}</span>
              </label>
              <label className="switch">
                <input
                  type="checkbox"
                  checked={simulate}
                  onChange={(e) => setSimulate(e.target.checked)}
                  data-testid="simulate-gps"
                />
                Simulate GPS
              </label>
            </div>
            <p className="muted" style={{ margin: '0.5rem 0 0' }}>
              {user.driver !== undefined && (
                <>
                  {vehicleLabel(user.driver.vehicle.type)}{' '}
                  <span className="mono">{user.driver.vehicle.plate}</span> ·{' '}
                </>
              )}
              {position === null ? (
                'Position unknown: tap the map to set it.'
              ) : (
                <>At {formatLatLng(position)}</>
              )}
            </p>
            {connection !== 'connected' && (
              <div className="banner banner--info" style={{ marginTop: '0.5rem', marginBottom: 0 }}>
                Live connection: {connection}. Offers and location updates resume on reconnect.
              </div>
            )}
          </Card>
          {error !== null && <ErrorBanner message={error} onRetry={() => void loadState()} />}
          {notice !== null && (
            <div className="banner banner--ok" data-testid="driver-notice">
              {notice}
            </div>
          )}
          {job !== null ? (
            <Card
              title={
                <>
                  Current job <span className="mono">#{job.bookingId}</span>
                </>
              }
              actions={<StatusPill status={job.status} testId="job-status" />}
            >
              <dl className="kv">
                <dt>Fare</dt>
                <dd>{formatMoney(job.price)}</dd>
                <dt>Trip</dt>
                <dd>{job.distanceKm.toFixed(1)} km</dd>
                <dt>Pickup</dt>
                <dd>{job.pickup.address ?? formatLatLng(job.pickup)}</dd>
                <dt>Drop-off</dt>
                <dd>{job.dropoff.address ?? formatLatLng(job.dropoff)}</dd>
                {job.goods !== undefined && job.goods !== null && (
                  <>
                    <dt>Goods</dt>
                    <dd data-testid="job-goods">
                      {job.goods.description} · {job.goods.weightKg.toLocaleString()} kg
                    </dd>
                  </>
                )}
              </dl>
              {nextStatus !== undefined && (
                <button
                  type="button"
                  className="btn btn--primary btn--huge"
                  disabled={busy}
                  onClick={() => void advance()}
                  data-testid="next-status"
                  data-next={nextStatus}
                >
                  {busy ? 'Updating…' : (NEXT_LABEL[nextStatus] ?? statusLabel(nextStatus))}
                </button>
              )}
            </Card>
          ) : (
            <Card title="Offers">
              {offers.length === 0 ? (
                <Empty>
                  {online === true ? 'Waiting for bookings near you…' : 'Go online to receive offers.'}
                </Empty>
              ) : (
                <div className="stack">
                  {offers.map((offer) => (
                    <OfferCard
                      key={offer.bookingId}
                      offer={offer}
                      busy={busy}
                      onAccept={() => void accept(offer)}
                      onReject={() => void reject(offer)}
                      onExpire={() => dropOffer(offer.bookingId)}
                    />
                  ))}
                </div>
              )}
            </Card>
          )}
        </div>
        <MapView
          markers={markers}
          route={route}
          fitKey={job?.bookingId ?? 'idle'}
          center={position ?? undefined}
          onPick={(p) => {
            if (!simulate || job === null) {
              setPosition(p);
              sendPosition(p);
            }
          }}
          className="map--tall"
          testId="driver-map"
        />
      </div>
      <DriverHistory refreshKey={historyKey} />
    </div>
  );
}
