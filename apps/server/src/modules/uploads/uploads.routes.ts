import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, MAX_UPLOAD_BYTES, Upload, UPLOAD_CONTENT_TYPES } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import { AppError } from '../../lib/errors';
import type { ImageType } from '../../lib/images';
import { callerOf, type Authenticator } from '../auth/authenticator';
import type { UploadsService } from './uploads.service';

/** The image type a `Content-Type` header names (parameters and case ignored), or null for any other. */
function declaredImageType(header: string | undefined): ImageType | null {
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return UPLOAD_CONTENT_TYPES.find((type) => type === mediaType) ?? null;
}

/** `POST /v1/uploads`, `GET /v1/uploads/:id`: proof-of-delivery photos and signatures. */
export function uploadsRoutes(deps: { uploads: UploadsService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const { uploads, authenticator } = deps;
    // The raw bytes of an image, up to the upload limit; only in this plugin's routes.
    app.addContentTypeParser(
      [...UPLOAD_CONTENT_TYPES],
      { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
      (_request, body, done) => done(null, body),
    );

    app.post(
      '/v1/uploads',
      {
        preHandler: authenticator.guard(['driver']),
        bodyLimit: MAX_UPLOAD_BYTES,
        schema: {
          tags: ['proof of delivery'],
          summary: 'Upload a proof photo or signature',
          description:
            'The assigned driver of an active trip sends the image as the body (`Content-Type` image/jpeg, image/png ' +
            'or image/webp, at most 5 MB). The bytes must be an image of that type: bytes of another image type are ' +
            'refused with 400 `validation_failed`, never relabelled. Metadata such as EXIF GPS is removed before the ' +
            "file is stored. The answer's `id` goes into a stop completion as `photoId` or `signatureId`.",
          consumes: [...UPLOAD_CONTENT_TYPES],
          security: bearerSecurity,
          response: { 201: Upload, ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const declared = declaredImageType(request.headers['content-type']);
        // JSON and plain text have the server's own parsers and arrive here as something else.
        if (!Buffer.isBuffer(body) || declared === null) {
          throw new AppError(
            415,
            'unsupported_media_type',
            `Send the body as ${UPLOAD_CONTENT_TYPES.join(' or ')}.`,
          );
        }
        return reply.status(201).send(await uploads.upload(callerOf(request).userId, declared, body));
      },
    );

    app.get(
      '/v1/uploads/:id',
      {
        preHandler: authenticator.guard(),
        schema: {
          tags: ['proof of delivery'],
          summary: 'A proof file',
          description: "Served to the booking's customer, its driver and admins; 404 for anyone else.",
          security: bearerSecurity,
          params: IdParams,
          produces: [...UPLOAD_CONTENT_TYPES],
          response: { 200: Type.Unknown(), ...errorResponses(401, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        const file = await uploads.read(callerOf(request), request.params.id);
        return reply
          .header('content-type', file.contentType)
          .header('cache-control', 'private, max-age=86400, immutable')
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', 'inline')
          .send(file.bytes);
      },
    );
    return Promise.resolve();
  };
}
