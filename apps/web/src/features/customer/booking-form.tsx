import { useMemo, useState, type SyntheticEvent } from 'react';
import type { Booking, Coordinates, Goods, Quote, VehicleType } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { MapView, type LatLng, type MapMarker } from '../../components/map-view';
import { Card, ErrorBanner, formatMoney, VEHICLES } from '../../components/ui';
import { navigate } from '../../router';
import { PlaceField } from './place-field';

type Target = 'pickup' | 'dropoff';

function newKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

interface GoodsCheck {
  /** What to send with the booking: null when the customer left both fields empty. */
  goods: Goods | null;
  descriptionError: string | null;
  weightError: string | null;
  /** The smallest vehicle that carries the weight, when the chosen one cannot. */
  larger: (typeof VEHICLES)[number] | null;
  valid: boolean;
}

const MAX_WEIGHT_KG = Math.max(...VEHICLES.map((v) => v.capacityKg));

/** Goods are optional; when given, both fields are needed and the weight must fit the vehicle. */
function checkGoods(description: string, weightText: string, vehicleType: VehicleType): GoodsCheck {
  const text = description.trim();
  const weightTrimmed = weightText.trim();
  if (text === '' && weightTrimmed === '') {
    return { goods: null, descriptionError: null, weightError: null, larger: null, valid: true };
  }
  const weightKg = Number(weightTrimmed);
  const vehicle = VEHICLES.find((v) => v.type === vehicleType);
  let weightError: string | null = null;
  let larger: GoodsCheck['larger'] = null;
  if (weightTrimmed === '') {
    weightError = 'Enter the approximate weight in kg.';
  } else if (!Number.isFinite(weightKg) || weightKg <= 0) {
    weightError = 'Enter the weight in kg as a number, e.g. 120.';
  } else if (vehicle !== undefined && weightKg > vehicle.capacityKg) {
    larger = VEHICLES.find((v) => v.capacityKg >= weightKg) ?? null;
    weightError =
      larger === null
        ? `${weightKg.toLocaleString()} kg is more than any vehicle carries (${MAX_WEIGHT_KG.toLocaleString()} kg at most): split the load into several bookings.`
        : `A ${vehicle.label.toLowerCase()} carries up to ${vehicle.capacityKg.toLocaleString()} kg. For ${weightKg.toLocaleString()} kg choose a ${larger.label.toLowerCase()} or larger.`;
  }
  const descriptionError = text === '' ? 'Say what you are sending, e.g. "12 cartons of books".' : null;
  const valid = weightError === null && descriptionError === null;
  return {
    goods: valid ? { description: text, weightKg } : null,
    descriptionError,
    weightError,
    larger,
    valid,
  };
}

/** Pick two places, say what goes, pick a vehicle, get a quote, then book now or schedule. */
export function BookingForm() {
  const [pickup, setPickup] = useState<Coordinates | null>(null);
  const [dropoff, setDropoff] = useState<Coordinates | null>(null);
  const [target, setTarget] = useState<Target>('pickup');
  const [vehicleType, setVehicleType] = useState<VehicleType>('van');
  const [description, setDescription] = useState('');
  const [weightText, setWeightText] = useState('');
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoting, setQuoting] = useState(false);
  const [booking, setBooking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [schedule, setSchedule] = useState(false);
  const [scheduledAt, setScheduledAt] = useState('');
  // One key per quote: a retried "Book" after a network error cannot create a second booking.
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  // Goods messages wait until the customer has tried to go on, so a half-typed field is not shouted at.
  const [showGoodsErrors, setShowGoodsErrors] = useState(false);
  const [fitCount, setFitCount] = useState(0);

  const goodsCheck = checkGoods(description, weightText, vehicleType);
  const weightKg = Number(weightText);
  const hasWeight = weightText.trim() !== '' && Number.isFinite(weightKg) && weightKg > 0;
  // Capacity is checked as soon as a weight is typed: it decides which vehicle to pick.
  const overCapacity = hasWeight && goodsCheck.larger !== null;
  const weightMessage = overCapacity || showGoodsErrors ? goodsCheck.weightError : null;
  const descriptionMessage = showGoodsErrors ? goodsCheck.descriptionError : null;

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

  const chooseVehicle = (type: VehicleType) => {
    setVehicleType(type);
    invalidateQuote();
  };

  const markers = useMemo(() => {
    const list: MapMarker[] = [];
    if (pickup !== null) {
      list.push({
        id: 'pickup',
        kind: 'pickup',
        position: pickup,
        label: pickup.address ?? 'Pickup',
        testId: 'pickup-marker',
      });
    }
    if (dropoff !== null) {
      list.push({
        id: 'dropoff',
        kind: 'dropoff',
        position: dropoff,
        label: dropoff.address ?? 'Drop-off',
        testId: 'dropoff-marker',
      });
    }
    return list;
  }, [pickup, dropoff]);
  const route = useMemo(
    () => (pickup !== null && dropoff !== null ? [pickup, dropoff] : undefined),
    [pickup, dropoff],
  );
  // The map refits when a point comes from the search or typed coordinates, not from a click on the map.
  const fitKey = fitCount === 0 ? undefined : String(fitCount);

  const getQuote = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (pickup === null || dropoff === null) {
      setError('Set both pickup and drop-off: search a place, click the map or type "lat, lng".');
      return;
    }
    if (!goodsCheck.valid) {
      setShowGoodsErrors(true);
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
    if (!goodsCheck.valid) {
      setShowGoodsErrors(true);
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
        body: {
          quoteId: quote.id,
          ...(goodsCheck.goods === null ? {} : { goods: goodsCheck.goods }),
          ...(scheduledIso === undefined ? {} : { scheduledAt: scheduledIso }),
        },
        headers: { 'idempotency-key': idempotencyKey },
      });
      navigate(`/customer/bookings/${created.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setBooking(false);
    }
  };

  return (
    <div className="grid-2">
      <Card title="Where to?">
        <form onSubmit={(event) => void getQuote(event)} noValidate>
          <PlaceField
            label="Pickup"
            value={pickup}
            onChange={(v) => {
              setPickup(v);
              invalidateQuote();
              if (v !== null) {
                setFitCount((count) => count + 1);
              }
            }}
            active={target === 'pickup'}
            onActivate={() => setTarget('pickup')}
            testId="pickup-input"
          />
          <PlaceField
            label="Drop-off"
            value={dropoff}
            onChange={(v) => {
              setDropoff(v);
              invalidateQuote();
              if (v !== null) {
                setFitCount((count) => count + 1);
              }
            }}
            active={target === 'dropoff'}
            onActivate={() => setTarget('dropoff')}
            testId="dropoff-input"
          />
          <fieldset className="goods">
            <legend>
              What are you sending? <em className="muted">(optional)</em>
            </legend>
            <div className="goods__row">
              <label className={descriptionMessage === null ? 'field' : 'field field--invalid'}>
                <span>Goods</span>
                <input
                  data-testid="goods-description"
                  placeholder="e.g. 12 cartons of books"
                  maxLength={500}
                  value={description}
                  onChange={(e) => setDescription(e.target.value)}
                />
                {descriptionMessage !== null && <span className="field__error">{descriptionMessage}</span>}
              </label>
              <label className={weightMessage === null ? 'field' : 'field field--invalid'}>
                <span>Weight</span>
                <span className="input-unit">
                  <input
                    data-testid="goods-weight"
                    type="number"
                    inputMode="decimal"
                    min={0}
                    step="any"
                    placeholder="120"
                    value={weightText}
                    onChange={(e) => setWeightText(e.target.value)}
                    aria-describedby="goods-weight-error"
                  />
                  <span aria-hidden="true">kg</span>
                </span>
              </label>
            </div>
            {weightMessage !== null && (
              <div
                className="banner banner--warn"
                id="goods-weight-error"
                role="alert"
                data-testid="goods-error"
              >
                <span>{weightMessage}</span>
                {goodsCheck.larger !== null && (
                  <button
                    type="button"
                    className="btn btn--small btn--primary"
                    onClick={() => {
                      if (goodsCheck.larger !== null) {
                        chooseVehicle(goodsCheck.larger.type);
                      }
                    }}
                    data-testid="suggest-vehicle"
                  >
                    Use {goodsCheck.larger.label.toLowerCase()}
                  </button>
                )}
              </div>
            )}
          </fieldset>
          <div className="field">
            <span>Vehicle</span>
            <div className="vehicles" role="radiogroup" aria-label="Vehicle type">
              {VEHICLES.map((v) => {
                const tooSmall = hasWeight && weightKg > v.capacityKg;
                return (
                  <button
                    key={v.type}
                    type="button"
                    role="radio"
                    aria-checked={vehicleType === v.type}
                    className={[
                      'vehicle',
                      vehicleType === v.type ? 'is-active' : '',
                      tooSmall ? 'vehicle--too-small' : '',
                    ].join(' ')}
                    onClick={() => chooseVehicle(v.type)}
                    data-testid={`vehicle-${v.type}`}
                  >
                    <strong>{v.label}</strong>
                    <span>{tooSmall ? 'too small' : `up to ${v.capacityKg.toLocaleString()} kg`}</span>
                  </button>
                );
              })}
            </div>
          </div>
          {error !== null && <ErrorBanner message={error} />}
          <button
            type="submit"
            className="btn btn--primary btn--block"
            disabled={quoting || pickup === null || dropoff === null || overCapacity}
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
              disabled={booking || overCapacity}
              onClick={() => void book()}
              data-testid="book"
            >
              {booking ? 'Booking…' : schedule ? 'Schedule booking' : 'Book now'}
            </button>
          </div>
        )}
      </Card>
      <MapView
        markers={markers}
        route={route}
        onPick={pick}
        fitKey={fitKey}
        className="map--tall"
        testId="booking-map"
      />
    </div>
  );
}
