import type { BookingStatus } from '@loadline/contracts';
import { Card, formatMoney, StatusPill } from '../../components/ui';
import { driverHeadsFor, nextDriverStatus, statusLabel } from '../../domain/booking-status';
import { placeText, Stops } from './offer-card';
import type { ActiveTrip } from './shift-state';

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

/** A `tel:` link: digits and a leading plus only. */
function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

/**
 * The current trip: where to go next with a Navigate button, both addresses,
 * the customer with a call link, the goods, the fare, and one big button for
 * its next status.
 */
export function TripPanel({
  trip,
  busy,
  onAdvance,
}: {
  trip: ActiveTrip;
  busy: boolean;
  onAdvance: () => void;
}) {
  const nextStatus = nextDriverStatus(trip.status);
  const heading = driverHeadsFor(trip.status);
  const destination = heading === null ? null : trip[heading];
  return (
    <Card title="Current trip" actions={<StatusPill status={trip.status} testId="trip-status" />}>
      {destination !== null && (
        <div className="trip__next">
          <div>
            <small className="muted">{heading === 'pickup' ? 'Next: pickup' : 'Next: drop-off'}</small>
            <div className="trip__next-place">{placeText(destination)}</div>
          </div>
          <a
            className="btn btn--primary trip__navigate"
            href={directionsUrl(destination)}
            target="_blank"
            rel="noreferrer"
            data-testid="navigate"
          >
            Navigate
          </a>
        </div>
      )}
      <Stops pickup={trip.pickup} dropoff={trip.dropoff} testIdPrefix="trip" />
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
        <button
          type="button"
          className="btn btn--primary btn--huge btn--block"
          disabled={busy}
          onClick={onAdvance}
          data-testid="next-status"
          data-next={nextStatus}
        >
          {busy ? 'Updating…' : (NEXT_LABEL[nextStatus] ?? statusLabel(nextStatus))}
        </button>
      )}
    </Card>
  );
}
