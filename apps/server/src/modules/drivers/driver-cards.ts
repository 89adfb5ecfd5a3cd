import { Type } from '@sinclair/typebox';
import { VehicleTypeSchema } from '@loadline/contracts';
import { StoredJson } from '../../lib/message-kind';
import type { Cache } from '../../platform/cache/cache.port';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { DriverCard, DriverDirectory } from '../bookings/bookings.service';
import type { DriversRepository } from './drivers.repository';

/** A card in the shared cache, checked when read back. */
const CACHED_CARD = new StoredJson(
  'cached driver card',
  Type.Object({
    name: Type.String(),
    phone: Type.Union([Type.String(), Type.Null()]),
    vehicle: Type.Object({ type: VehicleTypeSchema, plate: Type.String() }),
  }),
);

/** Names, phones and plates change rarely: a tracking page may show one a minute old. */
const CARD_TTL_SECONDS = 60;

/**
 * The bookings module's `DriverDirectory`: a driver's name, phone and vehicle,
 * read on the driver's shard and kept in the shared cache for a minute, so a
 * tracking page polled every few seconds costs no SQL for it.
 */
export class DriverCards implements DriverDirectory {
  constructor(
    private readonly deps: { router: ShardRouter; drivers: Pick<DriversRepository, 'card'>; cache: Cache },
  ) {}

  async card(driverId: string): Promise<DriverCard | null> {
    const key = `driver-card:${driverId}`;
    const cached = await this.deps.cache.get(key);
    const hit = cached === null ? null : CACHED_CARD.readCached(cached);
    if (hit !== null) {
      return hit;
    }
    const row = await this.deps.drivers.card(this.deps.router.forId(driverId).db, driverId);
    if (row === undefined) {
      return null;
    }
    const card: DriverCard = {
      name: row.name,
      phone: row.phone,
      vehicle: { type: row.type, plate: row.plate },
    };
    await this.deps.cache.set(key, CACHED_CARD.write(card), CARD_TTL_SECONDS);
    return card;
  }
}
