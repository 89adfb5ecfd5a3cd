/**
 * The haversine and its earth radius live in the contracts, shared with the
 * simulator and the web app; the radius is Redis GEO's, so both geo adapters
 * agree on which members fall inside a radius.
 */
export { haversineKm } from '@loadline/contracts';
