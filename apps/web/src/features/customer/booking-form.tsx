import { useMemo, useState, type SyntheticEvent } from 'react';
import type { Booking, Coordinates, Quote, VehicleType } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { MapView, type LatLng, type MapMarker } from '../../components/map-view';
import { Card, ErrorBanner, formatLatLng, formatMoney, parseLatLng, VEHICLES } from '../../components/ui';
import { navigate } from '../../router';

type Target = 'pickup' | 'dropoff';

function PointField({
  label,
  value,
  onChange,
  active,
  onActivate,
  testId,
}: {
  label: string;
  value: LatLng | null;
  onChange: (value: LatLng | null) => void;
  active: boolean;
  onActivate: () => void;
  testId: string;
}) {
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  const shown = editing ? text : value === null ? '' : formatLatLng(value);
  const invalid = editing && text.trim() !== '' && parseLatLng(text) === null;
  return (
    <label className={invalid ? 'field field--invalid' : 'field'}>
      <span className="spread">
        {label}
        <button
          type="button"
          className={active ? 'btn btn--small btn--primary' : 'btn btn--small btn--ghost'}
          onClick={onActivate}
        >
          {active ? 'Click the map…' : 'Pick on map'}
        </button>
      </span>
      <input
        data-testid={testId}
        placeholder="lat, lng  e.g. 12.9716, 77.5946"
        value={shown}
        onFocus={() => {
          setText(value === null ? '' : formatLatLng(value));
          setEditing(true);
          onActivate();
        }}
        onChange={(event) => {
          setText(event.target.value);
          const parsed = parseLatLng(event.target.value);
          if (parsed !== null) {
            onChange(parsed);
          } else if (event.target.value.trim() === '') {
            onChange(null);
          }
        }}
        onBlur={() => setEditing(false)}
      />
      {invalid && <span className="field__hint">Enter "latitude, longitude".</span>}
    </label>
  );
}

function newKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Pick two points, a vehicle, get a quote, then book now or schedule. */
export function BookingForm() {
  const [pickup, setPickup] = useState<LatLng | null>(null);
  const [dropoff, setDropoff] = useState<LatLng | null>(null);
  const [target, setTarget] = useState<Target>('pickup');
  const [vehicleType, setVehicleType] = useState<VehicleType>('van');
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoting, setQuoting] = useState(false);
  const [booking, setBooking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [schedule, setSchedule] = useState(false);
  const [scheduledAt, setScheduledAt] = useState('');
  // One key per quote: a retried "Book" after a network error cannot create a second booking.
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);

  const invalidateQuote = () => {
    setQuote(null);
    setIdempotencyKey(newKey());
  };

  const pick = (position: LatLng) => {
    if (target === 'pickup') {
      setPickup(position);
      setTarget('dropoff');
    } else {
      setDropoff(position);
    }
    invalidateQuote();
  };

  const markers = useMemo(() => {
    const list: MapMarker[] = [];
    if (pickup !== null) {
      list.push({ id: 'pickup', kind: 'pickup', position: pickup, label: 'Pickup', testId: 'pickup-marker' });
    }
    if (dropoff !== null) {
      list.push({
        id: 'dropoff',
        kind: 'dropoff',
        position: dropoff,
        label: 'Drop-off',
        testId: 'dropoff-marker',
      });
    }
    return list;
  }, [pickup, dropoff]);
  const route = useMemo(
    () => (pickup !== null && dropoff !== null ? [pickup, dropoff] : undefined),
    [pickup, dropoff],
  );

  const getQuote = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (pickup === null || dropoff === null) {
      setError('Set both pickup and drop-off: click the map or type "lat, lng".');
      return;
    }
    setQuoting(true);
    setError(null);
    try {
      const body: { pickup: Coordinates; dropoff: Coordinates; vehicleType: VehicleType } = {
        pickup,
        dropoff,
        vehicleType,
      };
      setQuote(await api<Quote>('POST', '/v1/quotes', { body }));
      setIdempotencyKey(newKey());
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setQuoting(false);
    }
  };

  const book = async () => {
    if (quote === null) {
      return;
    }
    let scheduledIso: string | undefined;
    if (schedule) {
      const when = new Date(scheduledAt);
      if (scheduledAt === '' || Number.isNaN(when.getTime()) || when.getTime() <= Date.now()) {
        setError('Choose a pickup time in the future.');
        return;
      }
      scheduledIso = when.toISOString();
    }
    setBooking(true);
    setError(null);
    try {
      const created = await api<Booking>('POST', '/v1/bookings', {
        body: { quoteId: quote.id, ...(scheduledIso === undefined ? {} : { scheduledAt: scheduledIso }) },
        headers: { 'idempotency-key': idempotencyKey },
      });
      navigate(`/customer/bookings/${created.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setBooking(false);
    }
  };

  const capacity = VEHICLES.find((v) => v.type === vehicleType)?.capacityKg ?? 0;

  return (
    <div className="grid-2">
      <Card title="Where to?">
        <form onSubmit={(event) => void getQuote(event)}>
          <PointField
            label="Pickup"
            value={pickup}
            onChange={(v) => {
              setPickup(v);
              invalidateQuote();
            }}
            active={target === 'pickup'}
            onActivate={() => setTarget('pickup')}
            testId="pickup-input"
          />
          <PointField
            label="Drop-off"
            value={dropoff}
            onChange={(v) => {
              setDropoff(v);
              invalidateQuote();
            }}
            active={target === 'dropoff'}
            onActivate={() => setTarget('dropoff')}
            testId="dropoff-input"
          />
          <div className="field">
            <span>Vehicle</span>
            <div className="vehicles" role="radiogroup" aria-label="Vehicle type">
              {VEHICLES.map((v) => (
                <button
                  key={v.type}
                  type="button"
                  role="radio"
                  aria-checked={vehicleType === v.type}
                  className={vehicleType === v.type ? 'vehicle is-active' : 'vehicle'}
                  onClick={() => {
                    setVehicleType(v.type);
                    invalidateQuote();
                  }}
                  data-testid={`vehicle-${v.type}`}
                >
                  <strong>{v.label}</strong>
                  <span>up to {v.capacityKg.toLocaleString()} kg</span>
                </button>
              ))}
            </div>
            <span className="field__hint">Selected: carries up to {capacity.toLocaleString()} kg.</span>
          </div>
          {error !== null && <ErrorBanner message={error} />}
          <button
            type="submit"
            className="btn btn--primary btn--block"
            disabled={quoting || pickup === null || dropoff === null}
            data-testid="get-quote"
          >
            {quoting ? 'Pricing…' : quote === null ? 'Get price' : 'Refresh price'}
          </button>
        </form>
        {quote !== null && (
          <div className="quote" data-testid="quote">
            <hr />
            <div className="spread">
              <div className="price" data-testid="quote-price">
                {formatMoney(quote.price)}
              </div>
              {quote.surgeMultiplier > 1 && (
                <span className="surge" data-testid="surge">
                  Surge ×{quote.surgeMultiplier.toFixed(2)}
                </span>
              )}
            </div>
            <p className="muted">
              {quote.distanceKm.toFixed(1)} km · about {Math.round(quote.durationMinutes)} min · valid until{' '}
              {new Date(quote.expiresAt).toLocaleTimeString()}
            </p>
            <dl className="kv">
              <dt>Base fare</dt>
              <dd>{formatMoney({ amount: quote.breakdown.baseFare, currency: quote.breakdown.currency })}</dd>
              <dt>Distance</dt>
              <dd>
                {formatMoney({ amount: quote.breakdown.distanceFare, currency: quote.breakdown.currency })}
              </dd>
              <dt>Time</dt>
              <dd>{formatMoney({ amount: quote.breakdown.timeFare, currency: quote.breakdown.currency })}</dd>
              {quote.breakdown.surgeAmount > 0 && (
                <>
                  <dt>Surge</dt>
                  <dd>
                    {formatMoney({ amount: quote.breakdown.surgeAmount, currency: quote.breakdown.currency })}
                  </dd>
                </>
              )}
              {quote.breakdown.minimumFareTopUp > 0 && (
                <>
                  <dt>Minimum fare top-up</dt>
                  <dd>
                    {formatMoney({
                      amount: quote.breakdown.minimumFareTopUp,
                      currency: quote.breakdown.currency,
                    })}
                  </dd>
                </>
              )}
              <dt>Region</dt>
              <dd>{quote.breakdown.region}</dd>
            </dl>
            <label className="switch">
              <input
                type="checkbox"
                checked={schedule}
                onChange={(e) => setSchedule(e.target.checked)}
                data-testid="schedule-toggle"
              />
              Schedule for later
            </label>
            {schedule && (
              <label className="field" style={{ marginTop: '0.75rem' }}>
                <span>Pickup time</span>
                <input
                  type="datetime-local"
                  value={scheduledAt}
                  onChange={(e) => setScheduledAt(e.target.value)}
                  data-testid="schedule-at"
                />
              </label>
            )}
            <button
              type="button"
              className="btn btn--accent btn--block"
              style={{ marginTop: '0.75rem' }}
              disabled={booking}
              onClick={() => void book()}
              data-testid="book"
            >
              {booking ? 'Booking…' : schedule ? 'Schedule booking' : 'Book now'}
            </button>
          </div>
        )}
      </Card>
      <MapView markers={markers} route={route} onPick={pick} className="map--tall" testId="booking-map" />
    </div>
  );
}
