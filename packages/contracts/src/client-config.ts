import { Type, type Static } from '@sinclair/typebox';

/**
 * Answer of `GET /v1/config/client` (no sign-in): what the web app reads from the
 * server's configuration at run time, so an operator changes it without rebuilding the app.
 */
export const ClientConfig = Type.Object({
  map: Type.Object({
    /**
     * Raster tile URL template with `{z}`, `{x}`, `{y}` (and optionally `{s}`, `{r}`);
     * null when the operator turned tiles off: maps draw their offline grid.
     */
    tileUrl: Type.Union([Type.String(), Type.Null()]),
    /** HTML shown in the map's attribution control; the tile provider's licence usually requires it. */
    attribution: Type.String(),
    maxZoom: Type.Integer({ minimum: 1, maximum: 22 }),
  }),
  /** A routing service is configured: `GET /v1/route` draws routes along the roads. */
  routing: Type.Boolean(),
});
export type ClientConfig = Static<typeof ClientConfig>;

/** `GET /v1/route?points=lat,lng;lat,lng[;…]`: 2 to 5 waypoints, in driving order. */
export const RouteShapeQuery = Type.Object(
  {
    points: Type.String({
      pattern: '^-?\\d{1,2}(\\.\\d+)?,-?\\d{1,3}(\\.\\d+)?(;-?\\d{1,2}(\\.\\d+)?,-?\\d{1,3}(\\.\\d+)?){1,4}$',
      description: 'Waypoints as `lat,lng` pairs joined by `;`.',
    }),
  },
  { additionalProperties: false },
);
export type RouteShapeQuery = Static<typeof RouteShapeQuery>;

/**
 * The line to draw between waypoints: along the roads (`road`) when a routing
 * service is configured and answers, else straight between them (`straight`).
 */
export const RouteShape = Type.Object({
  source: Type.Union([Type.Literal('road'), Type.Literal('straight')]),
  points: Type.Array(Type.Object({ lat: Type.Number(), lng: Type.Number() })),
});
export type RouteShape = Static<typeof RouteShape>;
