import type { GeoPoint } from '../../platform/geo/geo-index.port';

export interface LiveLocation extends GeoPoint {
  heading: number | null;
  speedKmh: number | null;
  /** Epoch milliseconds: when the position was taken. */
  at: number;
}

export interface ActiveTrip {
  bookingId: string;
  customerId: string;
}

/**
 * What dispatch and bookings need to know about a driver's live presence,
 * implemented by the drivers module.
 */
export interface DriverPresence {
  /**
   * Recomputes whether the driver may be offered bookings (online, not suspended,
   * no active trip, a known position) and updates the geo index to match.
   */
  refreshAvailability(driverId: string): Promise<void>;
  /** The driver's last known position, or null. */
  liveLocation(driverId: string): Promise<LiveLocation | null>;
  /** When each driver's live position was taken (epoch ms), or null when none is known. */
  positionTimes(driverIds: readonly string[]): Promise<(number | null)[]>;
  /** Tells the live-location path which booking (if any) the driver's pings belong to. */
  setActiveTrip(driverId: string, trip: ActiveTrip | null): Promise<void>;
}
