import type { Quote } from '@loadline/contracts';
import { formatMoney } from '../../components/ui';
import { formatMinutes } from '../../domain/durations';

/** The quoted price with its breakdown, the optional pickup time and the button that books. */
export function QuotePanel({
  quote,
  schedule,
  scheduledAt,
  booking,
  canBook,
  onSchedule,
  onScheduledAt,
  onBook,
}: {
  quote: Quote;
  schedule: boolean;
  scheduledAt: string;
  booking: boolean;
  canBook: boolean;
  onSchedule: (on: boolean) => void;
  onScheduledAt: (value: string) => void;
  onBook: () => void;
}) {
  const money = (amount: number) => formatMoney({ amount, currency: quote.breakdown.currency });
  return (
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
        {quote.distanceKm.toFixed(1)} km · about {formatMinutes(quote.durationMinutes)} · valid until{' '}
        {new Date(quote.expiresAt).toLocaleTimeString()}
      </p>
      <dl className="kv">
        <dt>Base fare</dt>
        <dd>{money(quote.breakdown.baseFare)}</dd>
        <dt>Distance</dt>
        <dd>{money(quote.breakdown.distanceFare)}</dd>
        <dt>Time</dt>
        <dd>{money(quote.breakdown.timeFare)}</dd>
        {quote.breakdown.surgeAmount > 0 && (
          <>
            <dt>Surge</dt>
            <dd>{money(quote.breakdown.surgeAmount)}</dd>
          </>
        )}
        {quote.breakdown.minimumFareTopUp > 0 && (
          <>
            <dt>Minimum fare top-up</dt>
            <dd>{money(quote.breakdown.minimumFareTopUp)}</dd>
          </>
        )}
      </dl>
      <label className="switch">
        <input
          type="checkbox"
          checked={schedule}
          onChange={(e) => onSchedule(e.target.checked)}
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
            onChange={(e) => onScheduledAt(e.target.value)}
            data-testid="schedule-at"
          />
        </label>
      )}
      <button
        type="button"
        className="btn btn--accent btn--block"
        style={{ marginTop: '0.75rem' }}
        disabled={booking || !canBook}
        onClick={onBook}
        data-testid="book"
      >
        {booking ? 'Booking…' : schedule ? 'Schedule booking' : 'Book now'}
      </button>
    </div>
  );
}
