import { ACTIVE_JOB_STATUSES, type BookingStatus } from '@loadline/contracts';

/** The statuses in which a driver is on the job, in the order the driver moves through them. */
const ACTIVE: readonly BookingStatus[] = ACTIVE_JOB_STATUSES;

/** The happy path, in order, for timelines and the driver's next-step button. */
export const STATUS_FLOW: readonly BookingStatus[] = ['searching', ...ACTIVE_JOB_STATUSES, 'delivered'];

const TERMINAL: readonly BookingStatus[] = ['delivered', 'cancelled', 'expired'];

const LABELS: Readonly<Record<BookingStatus, string>> = {
  scheduled: 'Scheduled',
  searching: 'Finding a driver',
  driver_assigned: 'Driver assigned',
  en_route_to_pickup: 'On the way to pickup',
  arrived_at_pickup: 'Arrived at pickup',
  goods_collected: 'Goods collected',
  in_transit: 'In transit',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

export function statusLabel(status: BookingStatus): string {
  return LABELS[status];
}

/** A driver is on the job: location is shared and the job has a next step. */
export function isActiveJob(status: BookingStatus): boolean {
  return ACTIVE.includes(status);
}

/** Delivered, cancelled or expired: nothing happens to the booking any more. */
export function isTerminal(status: BookingStatus): boolean {
  return TERMINAL.includes(status);
}

/** The status the driver's next-step button moves a job to; undefined when the job is not active. */
export function nextDriverStatus(status: BookingStatus): BookingStatus | undefined {
  return isActiveJob(status) ? STATUS_FLOW[STATUS_FLOW.indexOf(status) + 1] : undefined;
}

/** Customers may cancel until the goods are collected; after that only an admin may. */
export function customerMayCancel(status: BookingStatus): boolean {
  const step = STATUS_FLOW.indexOf(status);
  return status === 'scheduled' || (step !== -1 && step < STATUS_FLOW.indexOf('goods_collected'));
}

/** Where a driver on the job heads: the pickup until the goods are on board, then the drop-off. */
export function driverHeadsFor(status: BookingStatus): 'pickup' | 'dropoff' | null {
  if (!isActiveJob(status)) {
    return null;
  }
  return STATUS_FLOW.indexOf(status) < STATUS_FLOW.indexOf('goods_collected') ? 'pickup' : 'dropoff';
}
