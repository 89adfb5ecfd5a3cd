import type { BookingStatus, LocationAccepted, LocationUpdate } from '@loadline/contracts';
import type { LoadlineApi } from './loadline-api';
import type { SessionToken } from './sim-session';
import type { SimSocket } from './sim-socket';

/**
 * A signed-in driver's line to the server: the socket events of the contract
 * while connected, their REST twins while the socket is reconnecting.
 */
export class DriverLink {
  constructor(
    readonly api: LoadlineApi,
    readonly session: SessionToken,
    readonly socket: SimSocket,
  ) {}

  /** Whether the position became the live one (not older than the stored one, not replaced by a newer ping). */
  async sendLocation(update: LocationUpdate): Promise<boolean> {
    const answer = this.socket.connected
      ? await this.socket.request<LocationAccepted>('driverLocationUpdate', update)
      : await this.api.sendLocation(this.session, update);
    return answer.accepted;
  }

  /** With a handover PIN the change goes over REST, whose body carries the PIN on every server of v1.1. */
  async changeStatus(bookingId: string, status: BookingStatus, pin?: string): Promise<void> {
    if (pin !== undefined) {
      await this.api.updateStatus(this.session, bookingId, status, pin);
    } else if (this.socket.connected) {
      await this.socket.request('bookingStatusChanged', { bookingId, status });
    } else {
      await this.api.updateStatus(this.session, bookingId, status);
    }
  }

  /** Joins the booking's room, to hear when its customer or an admin cancels it (no REST twin: skipped offline). */
  async follow(bookingId: string): Promise<void> {
    if (this.socket.connected) {
      await this.socket.request('subscribeBooking', { bookingId });
    }
  }

  async unfollow(bookingId: string): Promise<void> {
    if (this.socket.connected) {
      await this.socket.request('unsubscribeBooking', { bookingId });
    }
  }
}
