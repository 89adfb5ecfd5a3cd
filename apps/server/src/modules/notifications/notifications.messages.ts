import type { StopFailureReason, VehicleType } from '@loadline/contracts';
import type { ActorRole } from '../events/booking-events';

/** Kinds of notification; stable on the wire (`type`), so add, never rename. */
export type NotificationType =
  | 'booking_scheduled'
  | 'driver_confirmed'
  | 'driver_en_route'
  | 'driver_arrived'
  | 'goods_collected'
  | 'booking_delivered'
  | 'job_completed'
  | 'booking_cancelled'
  | 'job_cancelled'
  | 'booking_expired'
  | 'driver_released';

/** What the copy may mention: facts from the event, never personal data. */
export interface MessageFacts {
  vehicleType: VehicleType;
  /** Who made the change (for a cancellation: who cancelled). */
  actor: ActorRole;
}

export interface MessageCopy {
  title: string;
  body: string;
}

const VEHICLE_LABELS: Record<VehicleType, string> = {
  bike: 'bike',
  van: 'van',
  mini_truck: 'mini truck',
  truck: 'truck',
};

function cancelledBy(actor: ActorRole): string {
  switch (actor) {
    case 'customer':
      return 'The customer cancelled this job.';
    case 'admin':
      return 'Loadline support cancelled this job.';
    default:
      return 'This job was cancelled.';
  }
}

/** Every word a user is shown by this module: one place to read, review and translate. */
export const MESSAGES: Record<NotificationType, (facts: MessageFacts) => MessageCopy> = {
  booking_scheduled: ({ vehicleType }) => ({
    title: 'Booking scheduled',
    body: `Your ${VEHICLE_LABELS[vehicleType]} booking is scheduled. We will start finding a driver shortly before your pickup time.`,
  }),
  driver_confirmed: ({ vehicleType }) => ({
    title: 'Driver confirmed',
    body: `A driver has accepted your ${VEHICLE_LABELS[vehicleType]} booking and will head to the pickup point shortly.`,
  }),
  driver_en_route: () => ({
    title: 'Driver on the way',
    body: 'Your driver is on the way to the pickup point. You can follow them live on the map.',
  }),
  driver_arrived: () => ({
    title: 'Driver has arrived',
    body: 'Your driver is at the pickup point. Please have your goods ready.',
  }),
  goods_collected: () => ({
    title: 'Goods collected',
    body: 'Your goods are on board and will be on their way to the drop-off point shortly.',
  }),
  booking_delivered: () => ({
    title: 'Delivered',
    body: 'Your goods have been delivered. Thank you for moving with Loadline.',
  }),
  job_completed: () => ({
    title: 'Job complete',
    body: 'Nice work: the delivery is complete. You are free to take your next job.',
  }),
  booking_cancelled: ({ actor }) => ({
    title: 'Booking cancelled',
    body:
      actor === 'admin'
        ? 'Loadline support has cancelled your booking. Contact support if you have questions.'
        : 'Your booking has been cancelled.',
  }),
  job_cancelled: ({ actor }) => ({
    title: 'Job cancelled',
    body: `${cancelledBy(actor)} You are free to take your next job.`,
  }),
  booking_expired: ({ vehicleType }) => ({
    title: 'No driver found',
    body: `We could not find a ${VEHICLE_LABELS[vehicleType]} driver for your booking in time. Please try booking again.`,
  }),
  driver_released: ({ vehicleType }) => ({
    title: 'Finding you another driver',
    body: `Your driver could no longer take this job. We are finding you another ${VEHICLE_LABELS[vehicleType]} driver now.`,
  }),
};

/** The notification a customer gets when a stop's handover fails (multi-stop bookings). */
export const STOP_FAILED_TYPE = 'stop_failed';

const FAILURE_LABELS: Record<StopFailureReason, string> = {
  recipient_absent: 'nobody was there to receive the goods',
  refused: 'the recipient refused the goods',
  address_not_found: 'the driver could not find the address',
  damaged: 'the goods were damaged',
  other: 'the handover could not be completed',
};

export function stopFailedMessage(facts: { stopSeq: number; reason: StopFailureReason }): MessageCopy {
  return {
    title: 'Delivery attempt failed',
    body: `Stop ${facts.stopSeq}: ${FAILURE_LABELS[facts.reason]}. Open the booking to see the driver's note.`,
  };
}
