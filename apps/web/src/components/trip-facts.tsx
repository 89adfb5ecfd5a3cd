import type { Booking } from '@loadline/contracts';
import { formatMinutes } from '../domain/durations';
import { vehicleLabel } from '../domain/vehicles';
import { formatLatLng } from './ui';

/**
 * A booking's trip as rows of a `<dl className="kv">`: from, to, vehicle,
 * goods (when said) and distance with the expected time. Shared by the
 * customer's tracking page, the receipt and the admin's booking detail.
 */
export function TripFacts({
  booking,
}: {
  booking: Pick<Booking, 'pickup' | 'dropoff' | 'vehicleType' | 'goods' | 'distanceKm' | 'durationMinutes'>;
}) {
  return (
    <>
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
      <dd>
        {booking.distanceKm.toFixed(1)} km · about {formatMinutes(booking.durationMinutes)}
      </dd>
    </>
  );
}
