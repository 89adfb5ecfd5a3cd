import type { BookingPins } from '@loadline/contracts';

/** Reads a booking's PINs with its customer's session (`GET /v1/bookings/:id/pins`). */
export type PinReader = (bookingId: string) => Promise<BookingPins>;

/**
 * How a simulated driver learns a handover PIN: the simulator plays both
 * sides, so the driver asks the booking's simulated customer, who reads the
 * PINs from the API, as a customer or recipient reads one out at the door.
 * The driver never reads PINs itself: the contract keeps them from drivers.
 */
export class HandoverDesk {
  private readonly readers = new Map<string, PinReader>();

  /** A customer of this run, by user ID, and how it reads its PINs. */
  register(customerId: string, reader: PinReader): void {
    this.readers.set(customerId, reader);
  }

  /**
   * The PIN of one handover (0: the pickup, else the stop's seq), as the
   * customer reads it now; an error when the customer is not one of this run's
   * or the booking has no PIN for that handover.
   */
  async pin(customerId: string, bookingId: string, handover: number): Promise<string> {
    const reader = this.readers.get(customerId);
    if (reader === undefined) {
      throw new Error(`no simulated customer ${customerId} to give the PIN of booking ${bookingId}`);
    }
    const pins = await reader(bookingId);
    const pin =
      handover === 0 ? pins.pickup : (pins.stops.find((stop) => stop.seq === handover)?.pin ?? null);
    if (pin === null) {
      throw new Error(`booking ${bookingId} has no PIN for handover ${handover}`);
    }
    return pin;
  }
}
