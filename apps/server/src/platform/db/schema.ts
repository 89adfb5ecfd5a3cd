import type { Generated } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. IDs are decimal strings;
 * times are epoch milliseconds; flags are 0/1.
 */
export interface ShardRangesTable {
  from_logical: number;
  to_logical: number;
  shard_index: number;
}

/** On shard 0: the shard map's version, bumped by every flip of a move (one row, id 1). */
export interface ShardMapStateTable {
  id: number;
  version: number;
  updated_at: number;
}

/** On shard 0: the map version each running process has loaded, with its heartbeat. */
export interface ShardMapAcksTable {
  instance_id: string;
  version: number;
  seen_at: number;
}

export type ShardMovePhase =
  'copying' | 'catching_up' | 'fenced' | 'flipped' | 'cleaning' | 'done' | 'aborted';

/** On shard 0: one move of logical shards [from_logical, to_logical) and how far it got (ADR 0024). */
export interface ShardMovesTable {
  id: string;
  from_logical: number;
  to_logical: number;
  source_shard: number;
  target_shard: number;
  phase: ShardMovePhase;
  /** JSON: per table, the primary key of the last row copied. */
  cursors: string;
  copied_rows: number;
  applied_changes: number;
  /** The map version the flip wrote. */
  map_version: number | null;
  error: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** On a move's source shard: keys of rows of the moving range changed since the copy began. */
export interface ShardMoveChangesTable {
  id: Generated<number>;
  move_id: string;
  table_name: string;
  /** JSON array of the row's primary key values. */
  pk: string;
}

/** Lookup vindex: finds the owner of a unique value (an email, a plate) without knowing its shard. */
export interface LookupDirectoryTable {
  kind: string;
  value: string;
  owner_id: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  name: string;
  phone: string | null;
  role: 'customer' | 'driver' | 'admin';
  status: 'active' | 'suspended';
  created_at: number;
  updated_at: number;
}

export interface DriversTable {
  user_id: string;
  vehicle_id: string;
  online: number;
  suspended: number;
  last_lat: number | null;
  last_lng: number | null;
  last_heading: number | null;
  last_seen_at: number | null;
  /** The booking this driver is on; the claim that keeps a driver to one active trip. */
  active_booking_id: string | null;
  rating_sum: number;
  rating_count: number;
  created_at: number;
  updated_at: number;
}

export interface VehiclesTable {
  id: string;
  driver_id: string;
  type: 'bike' | 'van' | 'mini_truck' | 'truck';
  plate: string;
  capacity_kg: number;
  created_at: number;
}

export interface OutboxTable {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: string;
  created_at: number;
  /** When the relay last queued the event: first published, or re-driven because it was not consumed. */
  published_at: number | null;
  /** When every consumer of the event had run; until then the relay may queue it again. */
  consumed_at: number | null;
}

export interface QuotesTable {
  id: string;
  customer_id: string;
  vehicle_type: VehiclesTable['type'];
  pickup_lat: number;
  pickup_lng: number;
  pickup_address: string | null;
  dropoff_lat: number;
  dropoff_lng: number;
  dropoff_address: string | null;
  distance_km: number;
  duration_minutes: number;
  price_amount: number;
  currency: string;
  surge_multiplier: number;
  /** JSON of the contract's PriceBreakdown. */
  breakdown: string;
  created_at: number;
  expires_at: number;
  /** JSON of the quote's stops (the contract's QuoteStop list); null for a one-drop-off quote. */
  stops: string | null;
}

export type BookingStatusColumn =
  | 'scheduled'
  | 'searching'
  | 'driver_assigned'
  | 'en_route_to_pickup'
  | 'arrived_at_pickup'
  | 'goods_collected'
  | 'in_transit'
  | 'delivered'
  | 'cancelled'
  | 'expired';

/** On the customer's shard. */
export interface BookingsTable {
  id: string;
  /** The short reference people read (`LL-7K2Q9MX`), unique on the shard; null on rows older than references. */
  ref: string | null;
  customer_id: string;
  driver_id: string | null;
  status: BookingStatusColumn;
  vehicle_type: VehiclesTable['type'];
  pickup_lat: number;
  pickup_lng: number;
  pickup_address: string | null;
  dropoff_lat: number;
  dropoff_lng: number;
  dropoff_address: string | null;
  goods_description: string | null;
  goods_weight_kg: number | null;
  price_amount: number;
  currency: string;
  distance_km: number;
  duration_minutes: number;
  surge_multiplier: number;
  quote_id: string | null;
  scheduled_at: number | null;
  seq: number;
  /** Dispatch wave reached so far (0 before the first). */
  offer_wave: number;
  /** JSON array of the driver IDs offered this booking, so later waves skip them and acceptance revokes them. */
  offered_to: string;
  search_started_at: number | null;
  /** While searching: when the next dispatch step (a wave, or expiry past the last) is due; the sweep runs it if overdue. */
  next_step_at: number | null;
  assigned_at: number | null;
  picked_up_at: number | null;
  delivered_at: number | null;
  cancelled_at: number | null;
  cancel_reason: string | null;
  /** The customer's 1-5 rating of a delivered trip, once. */
  rating: number | null;
  rated_at: number | null;
  rating_comment: string | null;
  /** 1 when each handover needs its PIN (`booking_pins`), else 0. */
  handover_pins: number;
  created_at: number;
  updated_at: number;
}

export interface BookingEventsTable {
  booking_id: string;
  seq: number;
  status: BookingStatusColumn;
  actor_role: 'customer' | 'driver' | 'admin' | 'system';
  actor_id: string | null;
  at: number;
  /** Null for a status change; else a stop's event or a handover PIN's (the contract's `BookingEvent.type`). */
  type: BookingEventType | null;
  /** The stop a stop or PIN event is about; null for a status change and for the pickup's PIN. */
  stop_seq: number | null;
}

/** A stop's or a handover PIN's event among a booking's (the contract's `BookingEvent.type`). */
export type BookingEventType =
  'stop_arrived' | 'stop_completed' | 'stop_failed' | 'pin_rejected' | 'pin_locked' | 'pins_unlocked';

export type StopStatusColumn = 'pending' | 'arrived' | 'delivered' | 'failed';

/** On the booking's shard: a booking's drop-offs in order, with their progress and proof. */
export interface BookingStopsTable {
  booking_id: string;
  seq: number;
  lat: number;
  lng: number;
  address: string | null;
  recipient_name: string | null;
  recipient_phone: string | null;
  goods_description: string | null;
  goods_weight_kg: number | null;
  status: StopStatusColumn;
  arrived_at: number | null;
  completed_at: number | null;
  proof_recipient_name: string | null;
  proof_photo_id: string | null;
  proof_signature_id: string | null;
  proof_lat: number | null;
  proof_lng: number | null;
  failure_reason: string | null;
  failure_note: string | null;
  failure_photo_id: string | null;
}

/**
 * On the booking's shard: the PINs of its current assignment, one per handover
 * (0 the pickup, else the stop's seq). Replaced at each assignment, removed at a release.
 */
export interface BookingPinsTable {
  booking_id: string;
  handover: number;
  /** `<salt>.<hex digest>` of the PIN, checked in constant time. */
  pin_hash: string;
  /** The PIN sealed for its customer to read again (`SecretBox`). */
  pin_sealed: string;
  /** Wrong tries since the PIN was made or last unlocked. */
  failures: number;
  /** Set when the wrong tries reached the limit; cleared by an admin's unlock. */
  locked_at: number | null;
  created_at: number;
}

export type OfferStatus = 'pending' | 'accepted' | 'rejected' | 'expired' | 'revoked';

/** On the driver's shard: the driver's inbox and the truth of each offer's state. */
export interface OffersTable {
  driver_id: string;
  booking_id: string;
  status: OfferStatus;
  wave: number;
  /** JSON of the contract's Offer, as shown to the driver. */
  payload: string;
  created_at: number;
  expires_at: number;
  responded_at: number | null;
}

/** On the driver's shard: the driver's trip history (table `driver_jobs`), kept by an outbox consumer. */
export interface DriverTripsTable {
  driver_id: string;
  booking_id: string;
  /** The booking's reference, copied when the row is written; null on rows older than references. */
  booking_ref: string | null;
  status: BookingStatusColumn;
  vehicle_type: VehiclesTable['type'];
  /** JSON of { pickup, dropoff } coordinates. */
  route: string;
  price_amount: number;
  currency: string;
  distance_km: number;
  assigned_at: number;
  completed_at: number | null;
  updated_at: number;
  /** `seq` of the booking event last applied, so a late or repeated event never moves the row backwards. */
  seq: number;
}

/** On the caller's shard: answers of writes made with an Idempotency-Key, kept 24 h. */
export interface IdempotencyKeysTable {
  user_id: string;
  idem_key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: number;
}

/** On the shard of the user it is for: what that user was told, and whether they have read it. */
export interface NotificationsTable {
  id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  booking_id: string | null;
  /** What produced the row (`<eventId>:<userId>`); unique per user, so a redelivered event adds nothing. */
  source_key: string;
  read_at: number | null;
  created_at: number;
}

/** On the booking's shard: one point of a driver's path during a trip. */
export interface BreadcrumbsTable {
  booking_id: string;
  at: number;
  driver_id: string;
  lat: number;
  lng: number;
  heading: number | null;
  speed_kmh: number | null;
}

/** Analytics roll-up on the booking's shard: one row per UTC day (days since 1970) and vehicle type. */
export interface BookingDailyTable {
  day: number;
  vehicle_type: string;
  created: number;
  delivered: number;
  cancelled: number;
  expired: number;
  /** Sum of pickup-to-delivery times of the day's deliveries. */
  trip_ms: number;
  trip_count: number;
  /** Sum of search-start-to-pickup times of the day's deliveries. */
  wait_ms: number;
  wait_count: number;
  revenue: number;
}

/** A driver's roll-up counters, per day or per week. */
export interface DriverCounterColumns {
  trips: number;
  trip_ms: number;
  rating_sum: number;
  rating_count: number;
  earnings: number;
}

/** Analytics roll-up on the driver's shard: one row per UTC day and driver. */
export interface DriverDailyTable extends DriverCounterColumns {
  day: number;
  driver_id: string;
}

/**
 * Analytics roll-up on the driver's shard: `driver_daily` summed per
 * Monday-to-Sunday UTC week, `week = floor((day + 3) / 7)` (ADR 0042).
 */
export interface DriverWeeklyTable extends DriverCounterColumns {
  week: number;
  driver_id: string;
}

/** Analytics roll-up on the driver's shard: the driver's failed stops per UTC day and reason. */
export interface StopFailureDailyTable {
  day: number;
  driver_id: string;
  /** The contract's stop failure reason. */
  reason: string;
  failed: number;
}

/** Analytics roll-up on the booking's shard: bookings that expired, by the UTC day and hour they were made. */
export interface UnfilledHourlyTable {
  day: number;
  hour: number;
  expired: number;
}

/** Analytics roll-up on the booking's shard: bookings that expired, by the day they were made and pickup area. */
export interface UnfilledAreasTable {
  day: number;
  /** The area's cell indexes: its centre is `(cell_lat / 20, cell_lng / 20)`. */
  cell_lat: number;
  cell_lng: number;
  expired: number;
  /** The greatest pickup address typed in the cell that day, to name it; null when none was. */
  address: string | null;
}

/** A part of a booking the roll-ups counted, on the shard of the roll-up row (ADR 0012). */
export interface RollupPartsTable {
  booking_id: string;
  /** `failed:<seq>`: the booking's stop `seq` failed (counted on the driver's shard). */
  part:
    'created' | 'delivered' | 'cancelled' | 'expired' | 'unfilled' | 'trip' | 'rating' | `failed:${number}`;
  /** The event that counted it; null when a rebuild did. */
  event_id: string | null;
  /** The driver, for a driver's part (`trip`, `rating`): the row lives on the driver's shard; null for the booking's parts. */
  owner_id: string | null;
}

/** A bulk generation job, on the shard its ID names. */
export interface GenerationJobsTable {
  id: string;
  entity: 'users' | 'drivers' | 'bookings';
  state: 'queued' | 'running' | 'completed' | 'failed';
  total: number;
  done: number;
  chunk_size: number;
  seed: number;
  /** Generation index of the job's first row; jobs never share one (see generated-ids). */
  index_base: number;
  /** JSON: what the chunks need beyond the seed (area, pools of existing IDs). */
  params: string;
  error: string | null;
  started_at: number;
  finished_at: number | null;
  updated_at: number;
}

/** A chunk's part written on this shard (`rows`), or counted in its job's progress (`done`). */
export interface GenerationMarksTable {
  job_id: string;
  chunk: number;
  part: string;
}

/** A session on its user's shard, under the SHA-256 of its token (ADR 0017). */
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  role: 'customer' | 'driver' | 'admin';
  created_at: number;
  expires_at: number;
}

/** On the customer's shard: an API key, stored as the SHA-256 of the key (ADR 0023). */
export interface ApiKeysTable {
  id: string;
  customer_id: string;
  name: string;
  /** JSON array of the contract's API key scopes. */
  scopes: string;
  /** The key's first characters, shown in lists. */
  prefix: string;
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
}

/** On the customer's shard: where a customer wants booking events POSTed. */
export interface WebhookEndpointsTable {
  id: string;
  customer_id: string;
  url: string;
  /** JSON array of the contract's webhook event types. */
  events: string;
  /** The signing secret, sealed when WEBHOOK_SECRET_KEY is set (see webhook-secrets.ts). */
  secret: string;
  status: 'active' | 'disabled';
  /** When the current run of failed attempts began; null while it succeeds. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

/** On the customer's shard: the version of the customer's set of webhook endpoints (ADR 0038). */
export interface WebhookVersionsTable {
  customer_id: string;
  version: number;
}

/** On the customer's shard: one event for one endpoint, and how its sending goes. */
export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  customer_id: string;
  event_id: string;
  booking_id: string;
  /** The booking event's seq: a booking's deliveries to an endpoint go in this order. */
  seq: number;
  type: string;
  /** The JSON body sent on every attempt. */
  body: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  /** A short excerpt (at most 256 characters) of the last error or answer. */
  last_error: string | null;
  /** While pending: when the next attempt is due. */
  next_attempt_at: number | null;
  /** A sender holds the delivery until then; past it another may take it (its sender died). */
  lease_until: number | null;
  /** Retries go on until this plus the retry window; a replay restarts it. */
  retry_from: number;
  created_at: number;
  updated_at: number;
}

export interface ShareLinksTable {
  token_hash: string;
  booking_id: string;
  customer_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** On the uploader's shard: a proof file a driver uploaded during a booking (ADR 0025). */
export interface UploadsTable {
  id: string;
  owner_id: string;
  booking_id: string;
  content_type: string;
  size: number;
  created_at: number;
}

/** The cluster's blob store: a file's bytes on the shard its ID names. */
export interface BlobsTable {
  id: string;
  content_type: string;
  size: number;
  bytes: Buffer;
  created_at: number;
}

export interface Database {
  uploads: UploadsTable;
  blobs: BlobsTable;
  shard_ranges: ShardRangesTable;
  shard_map_state: ShardMapStateTable;
  shard_map_acks: ShardMapAcksTable;
  shard_moves: ShardMovesTable;
  shard_move_changes: ShardMoveChangesTable;
  lookup_directory: LookupDirectoryTable;
  users: UsersTable;
  drivers: DriversTable;
  vehicles: VehiclesTable;
  outbox: OutboxTable;
  quotes: QuotesTable;
  bookings: BookingsTable;
  booking_events: BookingEventsTable;
  booking_stops: BookingStopsTable;
  booking_pins: BookingPinsTable;
  offers: OffersTable;
  driver_jobs: DriverTripsTable;
  idempotency_keys: IdempotencyKeysTable;
  breadcrumbs: BreadcrumbsTable;
  notifications: NotificationsTable;
  booking_daily: BookingDailyTable;
  driver_daily: DriverDailyTable;
  driver_weekly: DriverWeeklyTable;
  stop_failure_daily: StopFailureDailyTable;
  unfilled_hourly: UnfilledHourlyTable;
  unfilled_areas: UnfilledAreasTable;
  rollup_parts: RollupPartsTable;
  generation_jobs: GenerationJobsTable;
  generation_marks: GenerationMarksTable;
  sessions: SessionsTable;
  share_links: ShareLinksTable;
  api_keys: ApiKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_versions: WebhookVersionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
