import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Analytics } from '@loadline/contracts';
import { dayRows, vehicleRows } from './analytics-data';
import { compactCount, count, longDay, shortDay } from './format';

/*
 * Recharts lives in this module alone, loaded on demand by the analytics panel,
 * so customers and drivers never download it. Animations are off: the figures
 * refresh every few seconds, and a chart that re-animates on each refresh reads
 * as flicker rather than change.
 */

const COLORS = {
  bookings: '#1d4ed8',
  completed: '#16a34a',
  cancelled: '#94a3b8',
};
const AXIS = { fontSize: 12, fill: '#64748b' };
const GRID = '#e2e8f0';

function tooltipNumber(value: unknown): string {
  return typeof value === 'number' ? count(value) : String(value);
}

/** Bookings and completed trips per UTC day; days the API left out are zero. */
export function BookingsOverTime({ analytics }: { analytics: Analytics }) {
  const data = dayRows(analytics);
  const empty = data.every((d) => d.bookings === 0);
  return (
    <div className="chart" data-testid="chart-bookings" data-days={data.length}>
      {empty && <p className="chart__empty">No bookings in this range.</p>}
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis
            dataKey="day"
            tickFormatter={shortDay}
            // Recharts drops labels that would collide, so a phone shows fewer days than a desktop.
            interval="preserveStartEnd"
            minTickGap={14}
            tick={AXIS}
            tickLine={false}
            axisLine={{ stroke: GRID }}
          />
          <YAxis
            allowDecimals={false}
            tick={AXIS}
            tickLine={false}
            axisLine={false}
            tickFormatter={compactCount}
          />
          <Tooltip
            labelFormatter={(label) => (typeof label === 'string' ? longDay(label) : label)}
            formatter={tooltipNumber}
            cursor={{ fill: 'rgb(29 78 216 / 6%)' }}
          />
          <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 13 }} />
          <Bar
            dataKey="bookings"
            name="Bookings"
            fill={COLORS.bookings}
            fillOpacity={0.85}
            radius={[3, 3, 0, 0]}
            maxBarSize={28}
            isAnimationActive={false}
          />
          <Line
            dataKey="completed"
            name="Completed"
            type="monotone"
            stroke={COLORS.completed}
            strokeWidth={2.5}
            dot={data.length <= 14 ? { r: 3, fill: COLORS.completed } : false}
            activeDot={{ r: 4 }}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Bookings, completed trips and cancellations per vehicle type. */
export function VehicleTypeChart({ analytics }: { analytics: Analytics }) {
  const data = vehicleRows(analytics.byVehicleType);
  const empty = data.every((d) => d.bookings === 0);
  return (
    <div className="chart" data-testid="chart-vehicles">
      {empty && <p className="chart__empty">No bookings in this range.</p>}
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }} barGap={2}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="label" tick={AXIS} tickLine={false} axisLine={{ stroke: GRID }} />
          <YAxis
            allowDecimals={false}
            tick={AXIS}
            tickLine={false}
            axisLine={false}
            tickFormatter={compactCount}
          />
          <Tooltip formatter={tooltipNumber} cursor={{ fill: 'rgb(29 78 216 / 6%)' }} />
          <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 13 }} />
          <Bar
            dataKey="bookings"
            name="Bookings"
            fill={COLORS.bookings}
            radius={[3, 3, 0, 0]}
            maxBarSize={26}
            isAnimationActive={false}
          />
          <Bar
            dataKey="tripsCompleted"
            name="Completed"
            fill={COLORS.completed}
            radius={[3, 3, 0, 0]}
            maxBarSize={26}
            isAnimationActive={false}
          />
          <Bar
            dataKey="cancelled"
            name="Cancelled"
            fill={COLORS.cancelled}
            radius={[3, 3, 0, 0]}
            maxBarSize={26}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
