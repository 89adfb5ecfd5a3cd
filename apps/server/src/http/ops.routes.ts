import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';

export interface OpsDeps {
  unreachable: () => Promise<string[]>;
  registry: Registry;
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

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await deps.registry.metrics();
      return reply.type(deps.registry.contentType).send(body);
    });
    return Promise.resolve();
  };
}
