import { useState } from 'react';
import type { AdminBooking, BookingEvent } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { ErrorBanner, formatTime } from '../../components/ui';
import { isActiveTrip } from '../../domain/booking-status';
import { useHandoverPins } from '../customer/handover-pins';
import { handoverEventLabel, handoverEvents, handoverLabel, stopsOf } from '../customer/stop-facts';

/**
 * Whether the booking asks for PINs and, while a driver holds it, the
 * handovers locked by wrong tries, each with a button that unlocks it
 * (`POST /v1/admin/bookings/:id/pins/unlock`). PIN values stay with the customer.
 */
export function AdminHandoverPins({
  booking,
  onUnlocked,
}: {
  booking: AdminBooking;
  onUnlocked: () => void;
}) {
  const on = booking.handoverPins === true;
  const held = on && booking.driverId !== null && isActiveTrip(booking.status);
  const { state, reload } = useHandoverPins(booking.id, held, String(booking.seq));
  const [unlocking, setUnlocking] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stopCount = stopsOf(booking).length;

  const unlock = async (handover: number) => {
    setUnlocking(handover);
    setError(null);
    try {
      await api('admin.unlockPins', { params: { id: booking.id }, body: { handover } });
      reload();
      onUnlocked();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setUnlocking(null);
    }
  };

  if (!on) {
    return (
      <p className="muted" data-testid="detail-pins" data-pins="off">
        Off: handovers need no PIN.
      </p>
    );
  }
  const locked = state.status === 'ready' ? (state.pins.locked ?? []) : [];
  return (
    <div className="locked-handovers" data-testid="detail-pins" data-pins="on">
      <p>On: the driver types a PIN at the pickup and at each stop.</p>
      {held && state.status === 'failed' && (
        <ErrorBanner message={`Could not read the PINs: ${state.message}`} onRetry={reload} />
      )}
      {held && state.status === 'ready' && locked.length === 0 && (
        <p className="muted">No handover is locked.</p>
      )}
      {locked.map((handover) => (
        <div
          key={handover}
          className="banner banner--warn"
          data-testid="locked-handover"
          data-handover={handover}
        >
          <span>{handoverLabel(handover, stopCount)}: locked after too many wrong PINs.</span>
          <button
            type="button"
            className="btn btn--small btn--primary"
            disabled={unlocking !== null}
            onClick={() => void unlock(handover)}
            data-testid="unlock-pin"
          >
            {unlocking === handover ? 'Unlocking…' : 'Unlock PIN'}
          </button>
        </div>
      ))}
      {error !== null && <ErrorBanner message={`Could not unlock: ${error}`} />}
    </div>
  );
}

/** The stop and PIN events (arrivals, handovers, failures, wrong and locked PINs, unlocks), oldest first. */
export function HandoverAudit({
  events,
  stopCount,
  actorName,
}: {
  events: readonly BookingEvent[];
  stopCount: number;
  actorName: (actor: BookingEvent['actor']) => string;
}) {
  const audit = handoverEvents(events);
  if (audit.length === 0) {
    return <p className="muted">No stop or PIN events yet.</p>;
  }
  return (
    <ol className="audit" data-testid="handover-audit">
      {audit.map((event) => (
        <li key={event.seq} data-type={event.type}>
          <span
            className={event.type === 'pin_locked' || event.type === 'pin_rejected' ? 'is-alert' : undefined}
          >
            {handoverEventLabel(event, stopCount)}
          </span>
          <time dateTime={event.at}>
            {formatTime(event.at)} · {actorName(event.actor)}
          </time>
        </li>
      ))}
    </ol>
  );
}
