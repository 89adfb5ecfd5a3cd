import { useState } from 'react';
import type { Booking, RatingBody } from '@loadline/contracts';
import { api, ApiError, errorMessage } from '../../api/client';
import { ratingWord, StarPicker, Stars } from '../../components/star-rating';

/** Rates a delivered booking; when it was rated meanwhile (another tab), answers the booking as stored. */
async function submitRating(bookingId: string, body: RatingBody): Promise<Booking> {
  try {
    return await api('bookings.rate', { params: { id: bookingId }, body });
  } catch (caught) {
    if (caught instanceof ApiError && caught.code === 'already_rated') {
      return api('bookings.get', { params: { id: bookingId } });
    }
    throw caught;
  }
}

/**
 * The customer's rating of a delivered trip: stars and an optional comment
 * (`full`, on the tracking view) or stars that submit on click (`compact`, in
 * the history). Once rated it shows the rating.
 */
export function RateTrip({
  booking,
  onRated,
  variant,
}: {
  booking: Booking;
  onRated: (booking: Booking) => void;
  variant: 'full' | 'compact';
}) {
  const [choice, setChoice] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rating = typeof booking.rating === 'number' ? booking.rating : null;
  const testId = variant === 'full' ? 'booking-rating' : 'history-rating';

  if (rating !== null) {
    return (
      <div className={`rating rating--${variant} rating--done`}>
        {variant === 'full' && <span className="rating__label">Your rating</span>}
        <Stars value={rating} testId={testId} small={variant === 'compact'} />
        <span className="muted rating__word">{ratingWord(rating)}</span>
      </div>
    );
  }

  const send = async (value: number) => {
    setSending(true);
    setError(null);
    try {
      const trimmed = comment.trim();
      onRated(
        await submitRating(booking.id, { rating: value, ...(trimmed === '' ? {} : { comment: trimmed }) }),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSending(false);
    }
  };

  if (variant === 'compact') {
    return (
      <div className="rating rating--compact" data-testid="history-rate">
        <span className="muted">{sending ? 'Saving…' : 'Rate this trip'}</span>
        <StarPicker
          value={choice}
          small
          disabled={sending}
          label="Rate this trip"
          onChange={(value) => {
            setChoice(value);
            void send(value);
          }}
        />
        {error !== null && (
          <span className="field__error" role="alert">
            {error}
          </span>
        )}
      </div>
    );
  }

  return (
    <form
      className="rating rating--full"
      data-testid="rate-trip"
      onSubmit={(event) => {
        event.preventDefault();
        if (choice !== null) {
          void send(choice);
        }
      }}
    >
      <strong>How was your delivery?</strong>
      <div className="row">
        <StarPicker value={choice} onChange={setChoice} disabled={sending} label="Rate this trip" />
        {choice !== null && <span className="muted">{ratingWord(choice)}</span>}
      </div>
      <label className="field">
        <span>
          Comment <em className="muted">(optional)</em>
        </span>
        <textarea
          rows={2}
          maxLength={500}
          value={comment}
          placeholder="Anything the driver or we should know?"
          onChange={(event) => setComment(event.target.value)}
          data-testid="rating-comment"
        />
      </label>
      {error !== null && (
        <div className="banner banner--error" role="alert">
          {error}
        </div>
      )}
      <button
        type="submit"
        className="btn btn--primary btn--block"
        disabled={choice === null || sending}
        data-testid="submit-rating"
      >
        {sending ? 'Sending…' : 'Submit rating'}
      </button>
    </form>
  );
}
