import { useRef, useState } from 'react';
import type { Booking, BookingStatus } from '@loadline/contracts';
import { Card, formatMoney, StatusPill } from '../../components/ui';
import { driverHeadsFor, nextDriverStatus, statusLabel } from '../../domain/booking-status';
import { placeText, Stops } from './offer-card';
import { PinField } from './pin-field';
import type { ActiveTrip } from './shift-state';
import { StopList } from './stop-list';
import { currentStop, isPin, telHref, usesStopFlow, type HandoverProblem } from './trip-stops';

/** What the next-step button says for the status it moves the trip to. */
const NEXT_LABEL: Partial<Record<BookingStatus, string>> = {
  en_route_to_pickup: 'Start driving to pickup',
  arrived_at_pickup: "I've arrived at pickup",
  goods_collected: 'Goods collected',
  in_transit: 'Start delivery',
  delivered: 'Mark delivered',
};

/** Turn-by-turn directions to a place in the phone's maps app (or the maps website on a computer). */
export function directionsUrl(place: { lat: number; lng: number }): string {
  return `https://www.google.com/maps/dir/?api=1&travelmode=driving&destination=${place.lat},${place.lng}`;
}

/** Where the driver heads now: the pickup, then the current stop (the drop-off of a one-stop trip). */
export function tripTarget(trip: ActiveTrip): { place: ActiveTrip['dropoff']; label: string } | null {
  const heading = driverHeadsFor(trip.status);
  if (heading === null) {
    return null;
  }
  if (heading === 'pickup') {
    return { place: trip.pickup, label: 'Next: pickup' };
  }
  if (usesStopFlow(trip.stops) && trip.stops !== undefined) {
    const stop = currentStop(trip.stops);
    return stop === null
      ? null
      : { place: stop.location, label: `Next: stop ${stop.seq} of ${trip.stops.length}` };
  }
  return { place: trip.dropoff, label: 'Next: drop-off' };
}

/**
 * The current trip: where to go next with a Navigate button, the pickup and
 * the drop-offs (each stop with its recipient, goods, directions and, at the
 * current one, its handover), the customer with a call link, the goods, the
 * fare, and one big button for the next status. Handovers of a booking with
 * PINs ask for the PIN the customer or recipient reads out.
 */
export function TripPanel({
  trip,
  busy,
  position,
  onAdvance,
  onBooking,
}: {
  trip: ActiveTrip;
  busy: boolean;
  position: { lat: number; lng: number } | null;
  onAdvance: (pin?: string) => Promise<HandoverProblem | null>;
  onBooking: (booking: Booking) => void;
}) {
  const stopFlow = usesStopFlow(trip.stops);
  const next = nextDriverStatus(trip.status);
  // With stops, the last handover delivers the booking: there is no "delivered" button; nor
  // while the stops are still loading after a reload, when it is not yet known which flow it is.
  const nextStatus = next === 'delivered' && (stopFlow || trip.stops === undefined) ? undefined : next;
  const target = tripTarget(trip);
  return (
    <Card title="Current trip" actions={<StatusPill status={trip.status} testId="trip-status" />}>
      {target !== null && (
        <div className="trip__next">
          <div>
            <small className="muted">{target.label}</small>
            <div className="trip__next-place">{placeText(target.place)}</div>
          </div>
          <a
            className="btn btn--primary trip__navigate"
            href={directionsUrl(target.place)}
            target="_blank"
            rel="noreferrer"
            data-testid="navigate"
          >
            Navigate
          </a>
        </div>
      )}
      {stopFlow && trip.stops !== undefined ? (
        <>
          <ol className="stops">
            <li className="stops__item stops__item--pickup" data-testid="trip-pickup">
              <span className="stops__badge" aria-hidden="true">
                A
              </span>
              <span>
                <small>Pickup</small> {placeText(trip.pickup)}
              </span>
            </li>
          </ol>
          <StopList
            bookingId={trip.bookingId}
            tripStatus={trip.status}
            stops={trip.stops}
            handoverPins={trip.handoverPins === true}
            position={position}
            onBooking={onBooking}
          />
        </>
      ) : (
        <Stops pickup={trip.pickup} dropoff={trip.dropoff} testIdPrefix="trip" />
      )}
      <dl className="kv">
        <dt>Customer</dt>
        <dd data-testid="trip-customer">
          {trip.customer === undefined ? (
            <span className="muted">Loading…</span>
          ) : (
            <>
              {trip.customer.name}
              {trip.customer.phone !== null && (
                <>
                  {' · '}
                  <a href={telHref(trip.customer.phone)} data-testid="call-customer">
                    Call {trip.customer.phone}
                  </a>
                </>
              )}
            </>
          )}
        </dd>
        {trip.goods !== undefined && trip.goods !== null && (
          <>
            <dt>Goods</dt>
            <dd data-testid="trip-goods">
              {trip.goods.description} · {trip.goods.weightKg.toLocaleString()} kg
            </dd>
          </>
        )}
        <dt>Fare</dt>
        <dd>{formatMoney(trip.price)}</dd>
        <dt>Trip</dt>
        <dd>{trip.distanceKm.toFixed(1)} km</dd>
      </dl>
      {nextStatus !== undefined && (
        <AdvanceForm
          key={nextStatus}
          nextStatus={nextStatus}
          needsPin={
            trip.handoverPins === true && (nextStatus === 'goods_collected' || nextStatus === 'delivered')
          }
          busy={busy}
          onAdvance={onAdvance}
        />
      )}
    </Card>
  );
}

/**
 * The next-status button, with the handover PIN above it when the move is a
 * handover of a booking with PINs (the pickup; the drop-off of a one-stop
 * trip). Keyed by the status it moves to, so a PIN error never outlives its step.
 */
function AdvanceForm({
  nextStatus,
  needsPin,
  busy,
  onAdvance,
}: {
  nextStatus: BookingStatus;
  needsPin: boolean;
  busy: boolean;
  onAdvance: (pin?: string) => Promise<HandoverProblem | null>;
}) {
  const [pin, setPin] = useState('');
  const [pinProblem, setPinProblem] = useState<HandoverProblem | null>(null);
  const pinInput = useRef<HTMLInputElement | null>(null);

  const [farMessage, setFarMessage] = useState<string | null>(null);

  const advance = async () => {
    if (needsPin && !isPin(pin)) {
      setPinProblem({ kind: 'pin', message: 'Enter the 4-digit PIN.' });
      pinInput.current?.focus();
      return;
    }
    setFarMessage(null);
    const problem = await onAdvance(needsPin ? pin : undefined);
    if (problem?.kind === 'far') {
      setFarMessage(problem.message);
    } else if (problem !== null && (problem.kind === 'pin' || problem.kind === 'locked')) {
      setPin('');
      setPinProblem(problem);
      pinInput.current?.focus();
    }
  };

  return (
    <form
      className="trip__advance"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void advance();
      }}
    >
      {needsPin && (
        <PinField
          value={pin}
          onChange={(value) => {
            setPin(value);
            // A lock stays said until an answer says otherwise: typing does not lift it.
            if (pinProblem?.kind !== 'locked') {
              setPinProblem(null);
            }
          }}
          hint={
            nextStatus === 'goods_collected'
              ? 'Ask the person handing over the goods for the pickup PIN.'
              : 'Ask the recipient for the delivery PIN.'
          }
          error={pinProblem?.message ?? null}
          locked={pinProblem?.kind === 'locked'}
          inputRef={pinInput}
        />
      )}
      {farMessage !== null && (
        <div className="banner banner--error" role="alert" data-testid="advance-error">
          {farMessage}
        </div>
      )}
      <button
        type="submit"
        className="btn btn--primary btn--huge btn--block"
        disabled={busy}
        data-testid="next-status"
        data-next={nextStatus}
      >
        {busy ? 'Updating…' : (NEXT_LABEL[nextStatus] ?? statusLabel(nextStatus))}
      </button>
    </form>
  );
}
