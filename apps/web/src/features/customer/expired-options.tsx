import { useState } from 'react';
import type { Booking, Quote, VehicleType } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { newIdempotencyKey } from '../../api/idempotency-key';
import { ErrorBanner, formatMoney } from '../../components/ui';
import { formatMinutes } from '../../domain/durations';
import { largerVehicle, vehicleLabel } from '../../domain/vehicles';
import { navigate } from '../../router';
import { againPath } from './book-again';

type Retry =
  | { step: 'choose' }
  | { step: 'pricing'; vehicleType: VehicleType }
  | { step: 'priced'; quote: Quote; key: string }
  | { step: 'booking'; quote: Quote; key: string };

/**
 * What an expired booking offers instead of a dead end: the same trip again
 * now (a fresh price, never the old one), in the next larger vehicle, or
 * scheduled for later (the booking form, filled in).
 */
export function ExpiredOptions({ booking }: { booking: Booking }) {
  const [retry, setRetry] = useState<Retry>({ step: 'choose' });
  const [error, setError] = useState<string | null>(null);
  const bigger = largerVehicle(booking.vehicleType);

  const price = async (vehicleType: VehicleType) => {
    setError(null);
    setRetry({ step: 'pricing', vehicleType });
    try {
      const quote = await api('quotes.create', {
        body: { pickup: booking.pickup, dropoff: booking.dropoff, vehicleType },
      });
      setRetry({ step: 'priced', quote, key: newIdempotencyKey() });
    } catch (caught) {
      setError(errorMessage(caught));
      setRetry({ step: 'choose' });
    }
  };

  const book = async (quote: Quote, key: string) => {
    setError(null);
    setRetry({ step: 'booking', quote, key });
    try {
      const created = await api('bookings.create', {
        body: { quoteId: quote.id, ...(booking.goods === null ? {} : { goods: booking.goods }) },
        headers: { 'idempotency-key': key },
      });
      navigate(`/customer/bookings/${created.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
      // A quote that ran out needs a new price; any other failure may be tried again with the same key.
      setRetry({ step: 'priced', quote, key });
    }
  };

  return (
    <div className="expired" data-testid="expired-options">
      <p className="expired__why">
        <strong>No driver accepted in time.</strong> We offered your trip to drivers nearby, but none took it
        before the search ended. Nothing was booked; choose how to go on.
      </p>
      {error !== null && <ErrorBanner message={error} />}
      {retry.step === 'priced' || retry.step === 'booking' ? (
        <div className="expired__quote" data-testid="retry-quote">
          <div className="spread">
            <span>
              {vehicleLabel(retry.quote.vehicleType)} · about {formatMinutes(retry.quote.durationMinutes)}
            </span>
            <span className="price price--small" data-testid="retry-price">
              {formatMoney(retry.quote.price)}
            </span>
          </div>
          <p className="muted">
            Today&apos;s price for the same trip, valid until{' '}
            <span className="expired__until">{new Date(retry.quote.expiresAt).toLocaleTimeString()}.</span>
          </p>
          <div className="row">
            <button
              type="button"
              className="btn btn--accent"
              disabled={retry.step === 'booking'}
              onClick={() => void book(retry.quote, retry.key)}
              data-testid="retry-book"
            >
              {retry.step === 'booking' ? 'Booking…' : 'Book now'}
            </button>
            <button
              type="button"
              className="btn btn--ghost"
              disabled={retry.step === 'booking'}
              onClick={() => setRetry({ step: 'choose' })}
            >
              Back
            </button>
          </div>
        </div>
      ) : (
        <div className="expired__actions">
          {[
            {
              type: booking.vehicleType,
              label: 'Try again now',
              tone: 'btn btn--primary',
              testId: 'retry-now',
            },
            ...(bigger === null
              ? []
              : [
                  {
                    type: bigger.type,
                    label: `Try a ${bigger.label.toLowerCase()}`,
                    tone: 'btn',
                    testId: 'retry-bigger',
                  },
                ]),
          ].map((option) => (
            <button
              key={option.testId}
              type="button"
              className={option.tone}
              disabled={retry.step === 'pricing'}
              onClick={() => void price(option.type)}
              data-testid={option.testId}
            >
              {retry.step === 'pricing' && retry.vehicleType === option.type
                ? 'Getting a new price…'
                : option.label}
            </button>
          ))}
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => navigate(againPath(booking.id, { schedule: true }))}
            data-testid="retry-schedule"
          >
            Schedule for later
          </button>
        </div>
      )}
    </div>
  );
}
