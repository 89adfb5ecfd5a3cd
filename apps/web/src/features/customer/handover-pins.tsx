import { useCallback, useEffect, useState } from 'react';
import type { Booking, BookingPins } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { ErrorBanner } from '../../components/ui';
import { pinRows } from './stop-facts';

type PinsState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; pins: BookingPins }
  | { status: 'failed'; message: string };

/**
 * The booking's handover PINs (`GET /v1/bookings/:id/pins`), asked again
 * whenever `refreshKey` changes (a status or stop move: a release makes new
 * PINs, a stop's handover locks or spends one). Nothing is asked while `enabled` is false.
 */
export function useHandoverPins(
  bookingId: string,
  enabled: boolean,
  refreshKey: string,
): { state: PinsState; reload: () => void } {
  const [state, setState] = useState<PinsState>({ status: 'idle' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!enabled) {
      setState({ status: 'idle' });
      return;
    }
    let cancelled = false;
    setState((current) => (current.status === 'ready' ? current : { status: 'loading' }));
    api('bookings.pins', { params: { id: bookingId } })
      .then((pins) => {
        if (!cancelled) {
          setState({ status: 'ready', pins });
        }
      })
      .catch((caught: unknown) => {
        if (!cancelled) {
          setState({ status: 'failed', message: errorMessage(caught) });
        }
      });
    return () => {
      cancelled = true;
    };
  }, [bookingId, enabled, refreshKey, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, reload };
}

/**
 * The PINs the customer passes on: the pickup's and each stop's, the next one
 * marked, spent ones struck through, a locked one said to be locked.
 */
export function HandoverPinsPanel({
  booking,
  state,
  onRetry,
}: {
  booking: Pick<Booking, 'status' | 'stops'>;
  state: PinsState;
  onRetry: () => void;
}) {
  if (state.status === 'idle' || state.status === 'loading') {
    return <p className="muted">Loading the PINs…</p>;
  }
  if (state.status === 'failed') {
    return <ErrorBanner message={`Could not load the PINs: ${state.message}`} onRetry={onRetry} />;
  }
  const rows = pinRows(state.pins, booking);
  if (rows.length === 0) {
    return (
      <p className="muted" data-testid="pins-waiting">
        The PINs appear here once a driver takes the booking.
      </p>
    );
  }
  return (
    <div className="stack">
      <p className="muted">
        Give the driver each PIN at its handover, or pass it to the person there. Never share them before.
      </p>
      <dl className="pins" data-testid="handover-pins">
        {rows.map((row) => (
          <div
            key={row.handover}
            className={`pin is-${row.state}`}
            data-testid="handover-pin"
            data-handover={row.handover}
            data-state={row.state}
          >
            <dt>
              {row.label}
              {row.state === 'next' && ' · next'}
              {row.state === 'done' && ' · done'}
            </dt>
            <dd>
              {row.state === 'locked'
                ? 'Locked: too many wrong PINs. Support can unlock it.'
                : (row.pin ?? '—')}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
