import { Type, type Static } from '@sinclair/typebox';
import { Id } from '@loadline/contracts';
import { Topic } from '../../platform/outbox/outbox';

/** Payload of `driver.suspension_changed`: IDs and facts, no personal data. */
export const DriverSuspensionChangedPayload = Type.Object({
  driverId: Id,
  suspended: Type.Boolean(),
  /** Epoch milliseconds. */
  at: Type.Number(),
});
export type DriverSuspensionChanged = Static<typeof DriverSuspensionChangedPayload>;

/** Written when an admin suspends a driver or lifts the suspension. */
export const DRIVER_SUSPENSION_CHANGED = new Topic(
  'driver.suspension_changed',
  DriverSuspensionChangedPayload,
);
