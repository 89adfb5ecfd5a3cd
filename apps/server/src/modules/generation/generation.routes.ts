import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { GenerateAccepted, GenerateBody, GenerationJob, IdParams } from '@loadline/contracts';
import { bearerSecurity, errorResponses } from '../../lib/route-schemas';
import type { Authenticator } from '../auth/authenticator';
import type { GenerationService } from './generation.service';

export function generationRoutes(deps: { generation: GenerationService; authenticator: Authenticator }) {
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const guard = deps.authenticator.guard(['admin']);

    app.post(
      '/v1/admin/generate',
      {
        preHandler: guard,
        schema: {
          tags: ['admin'],
          summary: 'Generate realistic users, drivers or bookings in the background',
          description:
            'Split into chunks on the job queue and written with multi-row inserts to each shard. ' +
            'Generated accounts have no password (an administrator sets one with `loadline admin ' +
            'reset-password`). Bookings are spread ' +
            'over existing customers and drivers (409 nothing_to_book without them).',
          security: bearerSecurity,
          body: GenerateBody,
          response: { 202: GenerateAccepted, ...errorResponses(400, 401, 403, 409, 503) },
        },
      },
      async (request, reply) => {
        const job = await deps.generation.start(request.body.entity, request.body.count);
        return reply.code(202).send({ jobId: job.id });
      },
    );

    app.get(
      '/v1/admin/jobs/:id',
      {
        preHandler: guard,
        schema: {
          tags: ['admin'],
          summary: 'Progress of a generation job',
          security: bearerSecurity,
          params: IdParams,
          response: { 200: GenerationJob, ...errorResponses(400, 401, 403, 404, 503) },
        },
      },
      (request) => deps.generation.status(request.params.id),
    );
    return Promise.resolve();
  };
}
