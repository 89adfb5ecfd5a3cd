import type { FailedStopsFigures } from '@loadline/contracts';
import { Empty } from '../../components/ui';
import { reasonRows, reasonSummary } from './analytics-data';
import { count } from './format';
import { nameLabels } from './names';

/** Failed stops of the range by reason: every reason with its count and share, as bars. */
export function FailedStopsByReason({ failedStops }: { failedStops: FailedStopsFigures }) {
  if (failedStops.total === 0) {
    return <Empty>No stop failed in this range: every drop-off was handed over.</Empty>;
  }
  const rows = reasonRows(failedStops.byReason);
  const max = Math.max(1, ...rows.map((row) => row.count));
  return (
    <figure className="chart-figure" data-testid="failed-stops-by-reason" data-total={failedStops.total}>
      <ol className="areas">
        {rows.map((row) => (
          <li
            key={row.reason}
            data-testid="failed-stops-reason"
            data-reason={row.reason}
            data-count={row.count}
          >
            <span className="areas__name">
              {row.label} <span className="muted">{Math.round((row.count / failedStops.total) * 100)}%</span>
            </span>
            <span className="meter-cell">
              <span className="num">{count(row.count)}</span>
              <span className="meter meter--warn" aria-hidden="true">
                <span style={{ width: `${row.count === 0 ? 0 : Math.max(4, (row.count / max) * 100)}%` }} />
              </span>
            </span>
          </li>
        ))}
      </ol>
      <figcaption className="muted">
        {count(failedStops.total)} {failedStops.total === 1 ? 'stop' : 'stops'} failed in this range.
      </figcaption>
    </figure>
  );
}

/** The drivers with the most failed stops in the range, with what went wrong. */
export function FailingDrivers({ failedStops }: { failedStops: FailedStopsFigures }) {
  const drivers = failedStops.drivers;
  if (drivers.length === 0) {
    return <Empty>No driver failed a stop in this range.</Empty>;
  }
  const max = Math.max(1, ...drivers.map((driver) => driver.failed));
  // Two drivers with one name are told apart by the end of their IDs.
  const labels = nameLabels(drivers.map((driver) => ({ id: driver.driverId, name: driver.name })));
  return (
    <div className="table-wrap" role="region" aria-label="Drivers with the most failed stops" tabIndex={0}>
      <table className="table table--compact table--cards" data-testid="failing-drivers">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Driver</th>
            <th>Failed stops</th>
            <th>Reasons</th>
          </tr>
        </thead>
        <tbody>
          {drivers.map((driver, index) => (
            <tr key={driver.driverId} data-testid="failing-driver-row" data-driver-id={driver.driverId}>
              <td className="num muted" data-label="Rank">
                {index + 1}
              </td>
              <td title={`Driver ${driver.driverId}`} data-label="Driver">
                <strong>{labels.get(driver.driverId) ?? driver.name}</strong>
              </td>
              <td className="meter-cell" data-label="Failed stops">
                <span className="num">{count(driver.failed)}</span>
                <span className="meter meter--warn" aria-hidden="true">
                  <span style={{ width: `${Math.max(2, Math.round((driver.failed / max) * 100))}%` }} />
                </span>
              </td>
              <td data-label="Reasons">{reasonSummary(driver.byReason)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
