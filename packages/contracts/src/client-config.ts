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
});
export type ClientConfig = Static<typeof ClientConfig>;
