import { logicalShardOf, type IdGenerator } from '../../platform/db/ids';
import type { ShardRouter } from '../../platform/db/shard-router';
import type { BlobStore } from '../../platform/blobs/blob-store.port';
import type { Role, Upload } from '@loadline/contracts';
import type { Clock } from '../../lib/clock';
import { errors } from '../../lib/errors';
import { ImageFormatError, sniffImage, stripImageMetadata, type ImageType } from '../../lib/images';
import type { UploadsRepository } from './uploads.repository';

/** Who asks for a file. */
export interface UploadReader {
  userId: string;
  role: Role;
}

export interface UploadsServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  clock: Clock;
  blobs: BlobStore;
  uploads: UploadsRepository;
  /** The booking the driver is on now, or null. */
  activeBookingOf(driverId: string): Promise<string | null>;
  /** Resolves when `caller` may read the booking; throws 404 otherwise (the bookings service's rule). */
  assertReadable(reader: UploadReader, bookingId: string): Promise<void>;
}

const imageNames: Record<ImageType, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
};

const messages = {
  noTrip: 'Only a driver on an active trip uploads proof of delivery.',
  notAnImage: 'The file is not a JPEG, PNG or WebP image.',
  wrongType: (actual: ImageType, declared: ImageType) =>
    `The file is a ${imageNames[actual]} image but was sent as ${declared}.`,
  broken: 'The image is damaged or cut short.',
} as const;

/**
 * Proof-of-delivery files: a driver on a trip uploads a photo or signature
 * (its bytes must be the image type it was sent as; metadata stripped, stored
 * in the blob store), and the booking's customer, its driver and admins read
 * it back.
 */
export class UploadsService {
  constructor(private readonly deps: UploadsServiceDeps) {}

  /** Stores `bytes`, which must be a whole image of the `declared` type (its `Content-Type`). */
  async upload(driverId: string, declared: ImageType, bytes: Buffer): Promise<Upload> {
    const bookingId = await this.deps.activeBookingOf(driverId);
    if (bookingId === null) {
      throw errors.forbidden(messages.noTrip);
    }
    const type = sniffImage(bytes);
    if (type === null) {
      throw errors.validation(messages.notAnImage, { field: 'body' });
    }
    // Relabelling would serve the file under a type its sender never claimed.
    if (type !== declared) {
      throw errors.validation(messages.wrongType(type, declared), { field: 'body' });
    }
    let clean: Buffer;
    try {
      clean = stripImageMetadata(bytes, type);
    } catch (error) {
      if (error instanceof ImageFormatError) {
        throw errors.validation(messages.broken, { field: 'body' });
      }
      throw error;
    }
    const id = this.deps.ids.next(logicalShardOf(driverId));
    // The bytes first: a row never names a file that is not there.
    await this.deps.blobs.put(id, { contentType: type, bytes: clean });
    await this.deps.uploads.insert(this.deps.router.forId(id).db, {
      id,
      owner_id: driverId,
      booking_id: bookingId,
      content_type: type,
      size: clean.length,
      created_at: this.deps.clock.now(),
    });
    return { id, contentType: type, size: clean.length };
  }

  /** The file, for its uploader, admins and whoever may read its booking; 404 for anyone else. */
  async read(caller: UploadReader, id: string): Promise<{ contentType: string; bytes: Buffer }> {
    const row = await this.deps.uploads.findById(this.deps.router.forId(id).db, id);
    if (row === undefined) {
      throw errors.notFound('Upload');
    }
    if (caller.role !== 'admin' && caller.userId !== row.owner_id) {
      await this.deps.assertReadable(caller, row.booking_id);
    }
    const blob = await this.deps.blobs.get(id);
    if (blob === null) {
      throw errors.notFound('Upload');
    }
    return blob;
  }
}
