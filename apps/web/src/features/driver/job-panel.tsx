import type { BookingStatus } from '@loadline/contracts';
import { Card, formatLatLng, formatMoney, StatusPill } from '../../components/ui';
import { nextDriverStatus, statusLabel } from '../../domain/booking-status';
import type { ActiveJob } from './shift-state';

/** What the next-step button says for the status it moves the job to. */
const NEXT_LABEL: Partial<Record<BookingStatus, string>> = {
  en_route_to_pickup: 'Start driving to pickup',
  arrived_at_pickup: "I've arrived at pickup",
  goods_collected: 'Goods collected',
  in_transit: 'Start delivery',
  delivered: 'Mark delivered',
};

/** The current job: fare, places, goods and one big button for its next status. */
export function JobPanel({ job, busy, onAdvance }: { job: ActiveJob; busy: boolean; onAdvance: () => void }) {
  const nextStatus = nextDriverStatus(job.status);
  return (
    <Card
      title={
        <>
          Current job <span className="mono">#{job.bookingId}</span>
        </>
      }
      actions={<StatusPill status={job.status} testId="job-status" />}
    >
      <dl className="kv">
        <dt>Fare</dt>
        <dd>{formatMoney(job.price)}</dd>
        <dt>Trip</dt>
        <dd>{job.distanceKm.toFixed(1)} km</dd>
        <dt>Pickup</dt>
        <dd>{job.pickup.address ?? formatLatLng(job.pickup)}</dd>
        <dt>Drop-off</dt>
        <dd>{job.dropoff.address ?? formatLatLng(job.dropoff)}</dd>
        {job.goods !== undefined && job.goods !== null && (
          <>
            <dt>Goods</dt>
            <dd data-testid="job-goods">
              {job.goods.description} · {job.goods.weightKg.toLocaleString()} kg
            </dd>
          </>
        )}
      </dl>
      {nextStatus !== undefined && (
        <button
          type="button"
          className="btn btn--primary btn--huge"
          disabled={busy}
          onClick={onAdvance}
          data-testid="next-status"
          data-next={nextStatus}
        >
          {busy ? 'Updating…' : (NEXT_LABEL[nextStatus] ?? statusLabel(nextStatus))}
        </button>
      )}
    </Card>
  );
}
