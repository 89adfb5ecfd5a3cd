import { useState } from 'react';
import type { Booking, BookingStatus, BookingStop } from '@loadline/contracts';
import { api } from '../../api/client';
import { driverHeadsFor } from '../../domain/booking-status';
import { CompleteStopDialog } from './complete-stop-dialog';
import { FailStopDialog } from './fail-stop-dialog';
import { placeText } from './offer-card';
import {
  currentStop,
  FAILURE_REASON_LABELS,
  geoUrl,
  handoverProblem,
  osmDirectionsUrl,
  STOP_STATUS_LABELS,
  stopActions,
  telHref,
} from './trip-stops';

interface Point {
  lat: number;
  lng: number;
}

/**
 * The drop-offs in order: where, for whom, what, and how each stands, with
 * directions to each. The current stop stands out and, once the goods are on
 * their way, carries the only buttons: arrived, then handed over or failed.
 */
export function StopList({
  bookingId,
  tripStatus,
  stops,
  handoverPins,
  position,
  onBooking,
}: {
  bookingId: string;
  tripStatus: BookingStatus;
  stops: BookingStop[];
  handoverPins: boolean;
  position: Point | null;
  onBooking: (booking: Booking) => void;
}) {
  const [arriving, setArriving] = useState(false);
  const [problem, setProblem] = useState<{ seq: number; message: string } | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'complete' | 'fail'; seq: number } | null>(null);
  const ordered = [...stops].sort((a, b) => a.seq - b.seq);
  const current = currentStop(ordered);
  const dialogStop = dialog === null ? undefined : ordered.find((stop) => stop.seq === dialog.seq);

  const arrive = async (stop: BookingStop) => {
    setArriving(true);
    setProblem(null);
    try {
      onBooking(await api('stops.arrive', { params: { id: bookingId, seq: String(stop.seq) } }));
    } catch (caught) {
      setProblem({ seq: stop.seq, message: handoverProblem(caught).message });
    } finally {
      setArriving(false);
    }
  };

  const done = (booking: Booking) => {
    setDialog(null);
    setProblem(null);
    onBooking(booking);
  };

  return (
    <>
      <ol className="trip-stops" aria-label="Drop-offs in order" data-testid="trip-stops">
        {ordered.map((stop) => {
          // Marked once the goods are on board: before that the driver heads for the pickup.
          const isCurrent = current?.seq === stop.seq && driverHeadsFor(tripStatus) === 'dropoff';
          const actions = stopActions(tripStatus, stop, current);
          return (
            <li
              key={stop.seq}
              className={`trip-stop trip-stop--${stop.status}${isCurrent ? ' trip-stop--current' : ''}`}
              aria-current={isCurrent ? 'step' : undefined}
              data-testid="trip-stop"
              data-seq={stop.seq}
              data-status={stop.status}
            >
              <div className="trip-stop__head">
                <span className="trip-stop__badge" aria-hidden="true">
                  {stop.seq}
                </span>
                <div className="trip-stop__place">
                  <small className="muted">
                    Stop {stop.seq} of {ordered.length}
                    {isCurrent ? ' · now' : ''}
                  </small>
                  <div className="trip-stop__address">{placeText(stop.location)}</div>
                </div>
                <span className="trip-stop__status" data-testid="trip-stop-status">
                  {STOP_STATUS_LABELS[stop.status]}
                </span>
              </div>
              {(stop.recipient !== null || stop.goods !== null) && (
                <dl className="trip-stop__facts">
                  {stop.recipient !== null && (
                    <>
                      <dt>For</dt>
                      <dd>
                        {stop.recipient.name}
                        {stop.recipient.phone !== undefined && (
                          <>
                            {' · '}
                            <a href={telHref(stop.recipient.phone)} data-testid="call-recipient">
                              Call {stop.recipient.phone}
                            </a>
                          </>
                        )}
                      </dd>
                    </>
                  )}
                  {stop.goods !== null && (
                    <>
                      <dt>Goods</dt>
                      <dd>
                        {stop.goods.description} · {stop.goods.weightKg.toLocaleString()} kg
                      </dd>
                    </>
                  )}
                </dl>
              )}
              {stop.failure !== undefined && (
                <p className="trip-stop__note muted">
                  {FAILURE_REASON_LABELS[stop.failure.reason]}
                  {stop.failure.note === null ? '' : `: ${stop.failure.note}`}
                </p>
              )}
              {stop.status !== 'delivered' && stop.status !== 'failed' && (
                <div className="trip-stop__links">
                  <a
                    href={osmDirectionsUrl(position, stop.location)}
                    target="_blank"
                    rel="noreferrer"
                    data-testid="stop-directions"
                  >
                    Directions
                  </a>
                  <a href={geoUrl(stop.location)} data-testid="stop-geo">
                    Open in maps app
                  </a>
                </div>
              )}
              {problem !== null && problem.seq === stop.seq && (
                <div className="banner banner--error" role="alert" data-testid="stop-error">
                  {problem.message}
                </div>
              )}
              {actions.length > 0 && (
                <div className="trip-stop__actions">
                  {actions.includes('arrive') && (
                    <button
                      type="button"
                      className="btn btn--primary btn--huge"
                      disabled={arriving}
                      onClick={() => void arrive(stop)}
                      data-testid="stop-arrive"
                    >
                      {arriving ? 'Updating…' : `I've arrived at stop ${stop.seq}`}
                    </button>
                  )}
                  {actions.includes('complete') && (
                    <button
                      type="button"
                      className="btn btn--primary btn--huge"
                      disabled={arriving}
                      onClick={() => setDialog({ kind: 'complete', seq: stop.seq })}
                      data-testid="stop-complete"
                    >
                      Hand over goods
                    </button>
                  )}
                  {actions.includes('fail') && (
                    <button
                      type="button"
                      className="btn btn--danger btn--block"
                      disabled={arriving}
                      onClick={() => setDialog({ kind: 'fail', seq: stop.seq })}
                      data-testid="stop-fail"
                    >
                      Could not deliver
                    </button>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {dialog !== null && dialogStop !== undefined && dialog.kind === 'complete' && (
        <CompleteStopDialog
          bookingId={bookingId}
          stop={dialogStop}
          pinRequired={handoverPins}
          onClose={() => setDialog(null)}
          onDone={done}
        />
      )}
      {dialog !== null && dialogStop !== undefined && dialog.kind === 'fail' && (
        <FailStopDialog
          bookingId={bookingId}
          stop={dialogStop}
          onClose={() => setDialog(null)}
          onDone={done}
        />
      )}
    </>
  );
}
