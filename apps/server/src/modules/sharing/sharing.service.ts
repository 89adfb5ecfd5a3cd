import { isActiveTripStatus, type PublicTracking } from '@loadline/contracts';
import type { RateRule } from '../../config/config';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import { logicalShardOf } from '../../platform/db/ids';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { RateLimiter } from '../../platform/rate-limit/rate-limiter';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { BookingsService, DriverDirectory, DriverLocator } from '../bookings/bookings.service';
import type { LiveEta } from '../bookings/live-eta';
import { firstNameOf, LINK_AFTER_END_MS, LINK_MAX_MS, linkExpiry, stopsOf } from './public-tracking';
import { mintShareToken, parseShareToken } from './share-tokens';
import type { ResolvedLink, SharingRepository } from './sharing.repository';

const messages = {
  ended: 'This booking ended more than an hour ago; there is nothing left to follow.',
  link: 'Tracking link',
} as const;

export interface SharingServiceDeps {
  router: ShardRouter;
  clock: Clock;
  links: SharingRepository;
  bookings: Pick<BookingsService, 'readable'>;
  drivers: DriverDirectory;
  presence: DriverLocator;
  eta: Pick<LiveEta, 'current'>;
  rateLimiter: RateLimiter;
  /** Public tracking reads per client address. */
  trackPerIp: RateRule;
  /** Closes a revoked link's sockets on every instance. */
  sink: Pick<RealtimeSink, 'closeShare'>;
}

/** A live link, as a share-token socket holds it. */
export interface LiveLink {
  bookingId: string;
  tokenHash: string;
  expiresAt: number;
}

/**
 * Share links (ADR 0022): a booking's customer makes and revokes them; anyone
 * holding one reads the booking's public view. Links are read from SQL on
 * their booking's shard every time (never cached), so a revocation holds at
 * once on every instance.
 */
export class SharingService {
  constructor(private readonly deps: SharingServiceDeps) {}

  async create(customerId: string, bookingId: string): Promise<{ token: string; expiresAt: string }> {
    const booking = await this.deps.bookings.readable({ userId: customerId, role: 'customer' }, bookingId);
    const now = this.deps.clock.now();
    const expiresAt = linkExpiry(now + LINK_MAX_MS, booking);
    if (expiresAt <= now) {
      throw errors.conflict('conflict', messages.ended, {
        endedBefore: new Date(now - LINK_AFTER_END_MS).toISOString(),
      });
    }
    const { router, links } = this.deps;
    const minted = mintShareToken(logicalShardOf(bookingId));
    await links.insert(router.forId(bookingId).db, {
      token_hash: minted.hash,
      booking_id: bookingId,
      customer_id: customerId,
      created_at: now,
      expires_at: now + LINK_MAX_MS,
      revoked_at: null,
    });
    return { token: minted.token, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Revokes one of the booking's links (404 when it is not one, or already revoked) and closes its sockets. */
  async revoke(customerId: string, bookingId: string, token: string): Promise<void> {
    await this.deps.bookings.readable({ userId: customerId, role: 'customer' }, bookingId);
    const parsed = parseShareToken(token);
    const revoked =
      parsed !== null &&
      (await this.deps.links.revoke(
        this.deps.router.forId(bookingId).db,
        bookingId,
        parsed.hash,
        this.deps.clock.now(),
      ));
    if (!revoked) {
      throw errors.notFound(messages.link);
    }
    this.deps.sink.closeShare(parsed.hash);
  }

  /** `GET /v1/track/:token`: rate limited per client address; 404 for unknown, revoked or expired links. */
  async view(token: string, ip: string): Promise<PublicTracking> {
    await this.deps.rateLimiter.consume(`track:ip:${ip}`, this.deps.trackPerIp);
    const resolved = await this.live(token);
    if (resolved === null) {
      throw errors.notFound(messages.link);
    }
    return this.present(resolved);
  }

  /** The link a socket connects with, or null when it does not work (unknown, revoked, expired). */
  async connect(token: string): Promise<LiveLink | null> {
    const resolved = await this.live(token);
    return resolved === null ? null : this.liveLink(resolved);
  }

  /** The link a socket holds, read again: null once it was revoked or expired. */
  async recheck(link: Pick<LiveLink, 'bookingId' | 'tokenHash'>): Promise<LiveLink | null> {
    const resolved = await this.resolveHash(link.bookingId, link.tokenHash);
    return resolved === null ? null : this.liveLink(resolved);
  }

  /** The public view of a link a socket holds; 404 once it no longer works. */
  async socketView(link: Pick<LiveLink, 'bookingId' | 'tokenHash'>): Promise<PublicTracking> {
    const resolved = await this.resolveHash(link.bookingId, link.tokenHash);
    if (resolved === null) {
      throw errors.notFound(messages.link);
    }
    return this.present(resolved);
  }

  private async live(token: string): Promise<ResolvedLink | null> {
    const parsed = parseShareToken(token);
    if (parsed === null) {
      return null;
    }
    const resolved = await this.deps.links.resolve(
      this.deps.router.forLogical(parsed.logicalShard).db,
      parsed.hash,
    );
    return resolved === undefined || !this.works(resolved) ? null : resolved;
  }

  private async resolveHash(bookingId: string, tokenHash: string): Promise<ResolvedLink | null> {
    const resolved = await this.deps.links.resolve(this.deps.router.forId(bookingId).db, tokenHash);
    return resolved === undefined || resolved.link.booking_id !== bookingId || !this.works(resolved)
      ? null
      : resolved;
  }

  private works({ link, booking }: ResolvedLink): boolean {
    return link.revoked_at === null && linkExpiry(link.expires_at, booking) > this.deps.clock.now();
  }

  private liveLink({ link, booking }: ResolvedLink): LiveLink {
    return {
      bookingId: link.booking_id,
      tokenHash: link.token_hash,
      expiresAt: linkExpiry(link.expires_at, booking),
    };
  }

  /** Exactly the contract's fields: the driver by first name and vehicle, never the customer or the price. */
  private async present({ booking }: ResolvedLink): Promise<PublicTracking> {
    const active = isActiveTripStatus(booking.status);
    const [card, location, stops] = await Promise.all([
      booking.driver_id === null ? null : this.deps.drivers.card(booking.driver_id),
      active && booking.driver_id !== null ? this.deps.presence.liveLocation(booking.driver_id) : null,
      this.deps.links.stopStatuses(this.deps.router.forId(booking.id).db, booking.id),
    ]);
    return {
      status: booking.status,
      vehicleType: booking.vehicle_type,
      driver:
        card === null
          ? null
          : {
              firstName: firstNameOf(card.name),
              vehicle: { type: card.vehicle.type, plate: card.vehicle.plate },
            },
      driverLocation:
        location === null
          ? null
          : {
              lat: location.lat,
              lng: location.lng,
              heading: location.heading,
              at: new Date(location.at).toISOString(),
            },
      etaMinutes: location === null ? null : await this.deps.eta.current(booking, location),
      stops: stopsOf(booking, stops),
    };
  }
}
