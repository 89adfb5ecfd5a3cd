import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ClientConfig } from '@loadline/contracts';
import type { Config } from '../config/config';

/** How long browsers and proxies may keep the answer: a restart with new settings shows within it. */
const MAX_AGE_SECONDS = 300;

/** The client config the web app reads at start, built once from the server's configuration. */
export function clientConfigOf(config: Pick<Config, 'map' | 'pricing'>): ClientConfig {
  return {
    map: {
      tileUrl: config.map.tileUrl,
      attribution: config.map.tileAttribution,
      maxZoom: config.map.tileMaxZoom,
    },
    routing: config.pricing.routingUrl !== null,
  };
}

/** `GET /v1/config/client`: run-time settings for the web app (no sign-in; nothing in it is secret). */
export function clientConfigRoutes(config: Pick<Config, 'map' | 'pricing'>) {
  const body = clientConfigOf(config);
  return (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/v1/config/client',
      {
        schema: {
          tags: ['operations'],
          summary: "The web app's run-time settings: map tiles and their attribution, road routes",
          description:
            'No sign-in. Set by MAP_TILE_URL, MAP_TILE_ATTRIBUTION and MAP_TILE_MAX_ZOOM; `map.tileUrl` is null when ' +
            'tiles are off. `routing` is true when ROUTING_URL is set (`GET /v1/route` then follows the roads). ' +
            'Cacheable for five minutes.',
          response: { 200: ClientConfig },
        },
      },
      (_request, reply) => {
        void reply.header('cache-control', `public, max-age=${MAX_AGE_SECONDS}`);
        return body;
      },
    );
    return Promise.resolve();
  };
}
