import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common';

/** The image types a proof photo or signature may be: the bytes must be the type the `Content-Type` header declares. */
export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** The largest proof file, in bytes (5 MB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** `POST /v1/uploads` -> 201: the stored file (metadata such as EXIF GPS removed). */
export const Upload = Type.Object(
  {
    id: Id,
    contentType: Type.Union(UPLOAD_CONTENT_TYPES.map((type) => Type.Literal(type))),
    size: Type.Integer({ minimum: 1, description: 'Bytes as stored, after metadata was removed.' }),
  },
  { additionalProperties: false },
);
export type Upload = Static<typeof Upload>;
