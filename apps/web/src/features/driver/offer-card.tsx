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

/** One offer: fare, trip, distance to the pickup, a countdown to its expiry, accept and reject. */
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
