/**
 * The Socket.IO half of the contract as the OpenAPI document's readers see it
 * (Markdown in `info.description`; OpenAPI has no place for socket events):
 * the events, and what the contract leaves open and the platform decided.
 */
export const SOCKET_DOCS = `
## Real time (Socket.IO, same origin)

Connect with \`io(origin, { auth: { token } })\` (the session token from signup or login), or
\`auth: { shareToken }\` for a share link. Any transport works; a bad token is refused
at the handshake with \`connect_error\` whose \`data\` is \`{ code, message }\`. Each socket joins \`user:<id>\` (drivers
also \`driver:<id>\`, admins \`admin\`). A dropped socket that comes back within two minutes is recovered with what its
rooms got meanwhile, when its access still holds.

**Client events**, each answered through the ack callback (the last argument, when it is a function) with
\`{ ok: true, ... }\` or \`{ ok: false, error: { code, message } }\`:

| event | payload | who | answer |
|---|---|---|---|
| \`driverLocationUpdate\` | \`{ lat, lng, heading?, speedKmh?, at? }\` | drivers | \`{ accepted }\`; \`{ accepted: false, coalesced: true }\` when a newer ping replaced it while the server was behind |
| \`subscribeBooking\` | \`{ bookingId }\` | its customer, its driver, admins; a share-link socket for its booking | \`{ booking }\` (share link: \`{ tracking }\`) |
| \`unsubscribeBooking\` | \`{ bookingId }\` | anyone | \`{}\` |
| \`bookingStatusChanged\` | \`{ bookingId, status, pin? }\` | the assigned driver | \`{ booking }\`, the REST route's rules |
| \`subscribeFleet\`, \`unsubscribeFleet\` | none | admins | \`{}\`; a subscribe is followed by the whole fleet |

An event the server does not know is answered \`not_found\`. Each socket may send a burst of 100 events, refilled at
50 a second; beyond that the answer is \`rate_limited\`.

**Server events** (never broadcast to every socket):

| event | payload | to |
|---|---|---|
| \`bookingOffer\` | an offer, as in \`GET /v1/driver/offers\` | the driver |
| \`offerRevoked\` | \`{ bookingId, reason }\` | the driver |
| \`driverConfirmed\` | \`{ bookingId, driverId, driver: { name, vehicle: { type, plate } }, etaMinutes }\` | the booking's subscribers and its customer |
| \`bookingStatusUpdated\` | \`{ bookingId, status, seq, at }\` | the booking's subscribers, its customer, its share links |
| \`driverLocation\` | \`{ bookingId, driverId, lat, lng, heading, at }\`, one per accepted ping while the job is active | the booking's subscribers, its customer, its share links |
| \`etaUpdated\` | \`{ bookingId, etaMinutes, toStop, at }\` when the ETA moves by a minute or more | the booking's subscribers, its customer, its share links |
| \`stopArrived\`, \`stopCompleted\`, \`stopFailed\` | \`{ bookingId, seq, eventSeq, at }\` (\`seq\`: the stop; \`eventSeq\`: the booking event's seq) | the booking's subscribers and its customer |
| \`notification\` | \`{ id, type, title, body, bookingId?, at }\` | the user it concerns |
| \`fleetUpdate\` | \`{ at, full, drivers: [{ id, lat, lng, status, vehicleType }], removed }\`: \`full: true\` is the whole fleet (after \`subscribeFleet\`), \`full: false\` the drivers changed since the last update and the IDs of those gone | fleet subscribers, at most twice a second |
| \`metrics\` | the overview figures of \`GET /v1/admin/overview\`, when they change | admins, at most once a second |
| \`generationProgress\` | a bulk generation job, as \`GET /v1/admin/jobs/:id\` | admins, at most once a second per job |

Booking events carry \`seq\`: on a gap, refetch \`GET /v1/bookings/:id/events\`.
`;
