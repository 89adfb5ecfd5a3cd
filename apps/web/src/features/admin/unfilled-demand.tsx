import type { Analytics } from '@loadline/contracts';
import { Empty } from '../../components/ui';
import { count } from './format';

/** "07:00": an hour of the UTC day. */
function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** The hours with the most expired bookings, most first (for the chart's text alternative). */
export function worstHours(
  byHour: Analytics['unfilled']['byHour'],
  top = 3,
): { hour: number; count: number }[] {
  return byHour
    .filter((entry) => entry.count > 0)
    .toSorted((a, b) => b.count - a.count || a.hour - b.hour)
    .slice(0, top);
}

/** Expired bookings by the UTC hour they were made: 24 bars, with the worst hours in words. */
export function ExpiredByHour({ unfilled }: { unfilled: Analytics['unfilled'] }) {
  if (unfilled.expired === 0) {
    return <Empty>No booking expired in this range: every one found a driver or was cancelled.</Empty>;
  }
  const max = Math.max(1, ...unfilled.byHour.map((entry) => entry.count));
  const worst = worstHours(unfilled.byHour);
  return (
    <figure className="chart-figure" data-testid="expired-by-hour">
      <div className="hours" aria-hidden="true">
        {unfilled.byHour.map((entry) => (
          <span
            key={entry.hour}
            className={entry.count === 0 ? 'hours__bar hours__bar--empty' : 'hours__bar'}
            style={{ height: `${Math.max(2, (entry.count / max) * 100)}%` }}
            title={`${hourLabel(entry.hour)} UTC: ${count(entry.count)} expired`}
          />
        ))}
      </div>
      <div className="hours__axis" aria-hidden="true">
        <span>00:00</span>
        <span>06:00</span>
        <span>12:00</span>
        <span>18:00</span>
      </div>
      <figcaption className="muted">
        Worst hours (UTC):{' '}
        {worst.map((entry) => `${hourLabel(entry.hour)} (${count(entry.count)})`).join(', ')}
      </figcaption>
    </figure>
  );
}

/** The pickup areas where most bookings expired: where drivers were missing. */
export function ExpiredAreas({ unfilled }: { unfilled: Analytics['unfilled'] }) {
  if (unfilled.byArea.length === 0) {
    return <Empty>No area had an expired booking in this range.</Empty>;
  }
  const max = Math.max(1, ...unfilled.byArea.map((area) => area.count));
  return (
    <ol className="areas" data-testid="expired-areas">
      {unfilled.byArea.map((area) => (
        <li key={`${area.lat}:${area.lng}`} data-testid="expired-area">
          <span className="areas__name">
            {area.address ?? 'Pickups'}{' '}
            <span className="muted">
              near {area.lat.toFixed(2)}, {area.lng.toFixed(2)}
            </span>
          </span>
          <span className="meter-cell">
            <span className="num">{count(area.count)}</span>
            <span className="meter meter--warn" aria-hidden="true">
              <span style={{ width: `${Math.max(4, (area.count / max) * 100)}%` }} />
            </span>
          </span>
        </li>
      ))}
    </ol>
  );
}
