import { useEffect, useState } from 'react';
import type { Offer } from '@loadline/contracts';
import { formatLatLng, formatMoney } from '../../components/ui';
import { vehicleLabel } from '../../domain/vehicles';

function Countdown({ expiresAt, onExpire }: { expiresAt: string; onExpire: () => void }) {
  const end = new Date(expiresAt).getTime();
  const [now, setNow] = useState(() => Date.now());
  // The bar's full width is the time left when the offer appeared.
  const [total] = useState(() => Math.max(1, end - Date.now()));
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
        <span style={{ width: `${(left / total) * 100}%` }} />
      </div>
    </div>
  );
}

/** A place as the driver reads it: its address, else its coordinates. */
export function placeText(place: { lat: number; lng: number; address?: string }): string {
  return place.address ?? formatLatLng(place);
}

/** Pickup (A) and drop-off (B), one line each. */
export function Stops({
  pickup,
  dropoff,
  testIdPrefix,
}: {
  pickup: Offer['pickup'];
  dropoff: Offer['dropoff'];
  testIdPrefix: string;
}) {
  return (
    <ol className="stops">
      {(
        [
          ['pickup', 'A', 'Pickup', pickup],
          ['dropoff', 'B', 'Drop-off', dropoff],
        ] as const
      ).map(([kind, letter, label, place]) => (
        <li key={kind} className={`stops__item stops__item--${kind}`} data-testid={`${testIdPrefix}-${kind}`}>
          <span className="stops__badge" aria-hidden="true">
            {letter}
          </span>
          <span>
            <small>{label}</small> {placeText(place)}
          </span>
        </li>
      ))}
    </ol>
  );
}

/**
 * One offer, readable at a glance on a phone: the fare, how far the pickup is,
 * both addresses, what to carry and its weight, a countdown, accept and reject.
 */
export function OfferCard({
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
    <article className="offer" data-testid="offer" aria-label={`Offer: ${formatMoney(offer.price)}`}>
      <div className="spread">
        <strong className="price offer__fare" data-testid="offer-fare">
          {formatMoney(offer.price)}
        </strong>
        <Countdown expiresAt={offer.expiresAt} onExpire={onExpire} />
      </div>
      <div className="offer__facts">
        <span data-testid="offer-pickup-distance">
          <strong>{offer.pickupDistanceKm.toFixed(1)} km</strong> to pickup
        </span>
        <span>
          Trip <strong>{offer.distanceKm.toFixed(1)} km</strong>
        </span>
        <span>{vehicleLabel(offer.vehicleType)}</span>
      </div>
      <Stops pickup={offer.pickup} dropoff={offer.dropoff} testIdPrefix="offer" />
      <div className="offer__goods" data-testid="offer-goods">
        {offer.goods === undefined
          ? 'Goods not described'
          : `${offer.goods.description} · ${offer.goods.weightKg.toLocaleString()} kg`}
      </div>
      <div className="row">
        <button
          type="button"
          className="btn btn--primary btn--huge"
          style={{ flex: 2 }}
          disabled={busy}
          onClick={onAccept}
          data-testid="accept-offer"
        >
          Accept
        </button>
        <button
          type="button"
          className="btn btn--ghost btn--huge"
          style={{ flex: 1 }}
          disabled={busy}
          onClick={onReject}
          data-testid="reject-offer"
        >
          Reject
        </button>
      </div>
    </article>
  );
}
