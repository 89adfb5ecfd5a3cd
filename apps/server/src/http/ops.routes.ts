import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import { errors } from '../lib/errors';

/** Compares digests, so the check takes the same time whatever the caller sent. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const token = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (token === undefined || token === null) {
    return false;
  }
  return timingSafeEqual(createHash('sha256').update(token).digest(), expected);
}

export interface OpsDeps {
  unreachable: () => Promise<string[]>;
  registry: Registry;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken: string | null;
}

/** Liveness, readiness and Prometheus metrics. Not under /v1: they belong to the process, not the API. */
export function opsRoutes(deps: OpsDeps) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['operations'],
          summary: 'The process is up',
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
      },
      () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          summary: 'Every dependency answers; 503 names the ones that do not',
          response: {
            200: Type.Object({ status: Type.Literal('ready') }),
            503: Type.Object({
              error: Type.Object({
                code: Type.Literal('unavailable'),
                message: Type.String(),
                details: Type.Object({ dependencies: Type.Array(Type.String()) }),
              }),
            }),
          },
        },
      },
      async (_request, reply) => {
        const failing = await deps.unreachable();
        if (failing.length === 0) {
          return reply.send({ status: 'ready' as const });
        }
        return reply.status(503).send({
          error: {
            code: 'unavailable' as const,
            message: `Unavailable: ${failing.join(', ')}.`,
            details: { dependencies: failing },
          },
        });
      },
    );

    const expected =
      deps.metricsToken === null ? null : createHash('sha256').update(deps.metricsToken).digest();
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (expected !== null && !bearerMatches(request.headers.authorization, expected)) {
        throw errors.unauthenticated('Metrics need the configured bearer token.');
      }
      const body = await deps.registry.metrics();
      return reply.type(deps.registry.contentType).send(body);
    });
    return Promise.resolve();
  };
}
