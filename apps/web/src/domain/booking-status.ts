import {
  customerMayCancel as contractMayCancel,
  DRIVER_STEPS,
  isActiveTripStatus,
  isTerminalStatus,
  nextDriverStatus as contractNextStatus,
  type BookingStatus,
} from '@loadline/contracts';

/** The happy path, in order, for timelines and the driver's next-step button. */
export const STATUS_FLOW: readonly BookingStatus[] = ['searching', ...DRIVER_STEPS];

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

/** A driver is on a trip: location is shared and the trip has a next step. */
export function isActiveTrip(status: BookingStatus): boolean {
  return isActiveTripStatus(status);
}

/** Delivered, cancelled or expired: nothing happens to the booking any more. */
export function isTerminal(status: BookingStatus): boolean {
  return isTerminalStatus(status);
}

/** The status the driver's next-step button moves a trip to; undefined when the trip is not active. */
export function nextDriverStatus(status: BookingStatus): BookingStatus | undefined {
  return contractNextStatus(status) ?? undefined;
}

/** Customers may cancel until the goods are collected; after that only an admin may. */
export function customerMayCancel(status: BookingStatus): boolean {
  return contractMayCancel(status);
}

/** Where a driver on a trip heads: the pickup until the goods are on board, then the drop-off. */
export function driverHeadsFor(status: BookingStatus): 'pickup' | 'dropoff' | null {
  if (!isActiveTrip(status)) {
    return null;
  }
  return STATUS_FLOW.indexOf(status) < STATUS_FLOW.indexOf('goods_collected') ? 'pickup' : 'dropoff';
}
