import type { BookingEvent, BookingStatus } from '@loadline/contracts';
import { STATUS_FLOW, statusLabel } from '../domain/booking-status';
import { formatTime } from './ui';

/**
 * A booking's steps: the ones it reached, with when and by whom (`actorName`
 * may name the actor; else the role), and the ones still ahead.
 */
export function Timeline({
  events,
  status,
  actorName,
}: {
  events: readonly BookingEvent[];
  status: BookingStatus;
  actorName?: (actor: BookingEvent['actor']) => string;
}) {
  const reached = new Map(events.map((e) => [e.status, e]));
  const terminalOff = status === 'cancelled' || status === 'expired';
  const flow = terminalOff
    ? events.map((e) => e.status)
    : STATUS_FLOW.filter((s) => s !== 'searching' || !reached.has('scheduled') || reached.has('searching'));
  const steps =
    reached.has('scheduled') && !flow.includes('scheduled') ? ['scheduled' as const, ...flow] : flow;
  return (
    <ol className="timeline" data-testid="timeline">
      {steps.map((step) => {
        const event = reached.get(step);
        const current = step === status;
        return (
          <li
            key={step}
            className={current ? 'is-current' : event !== undefined ? 'is-done' : 'is-pending'}
            data-testid="timeline-step"
            data-status={step}
            data-state={current ? 'current' : event !== undefined ? 'done' : 'pending'}
          >
            {statusLabel(step)}
            {event !== undefined && (
              <time dateTime={event.at}>
                {formatTime(event.at)} · {actorName?.(event.actor) ?? event.actor.role}
              </time>
            )}
          </li>
        );
      })}
    </ol>
  );
}
