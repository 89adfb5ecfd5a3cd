/**
 * Row types of every table, as Kysely sees them. IDs are decimal strings;
 * times are epoch milliseconds; flags are 0/1.
 */
export interface ShardRangesTable {
  from_logical: number;
  to_logical: number;
  shard_index: number;
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
  published_at: number | null;
}

export interface Database {
  shard_ranges: ShardRangesTable;
  lookup_directory: LookupDirectoryTable;
  users: UsersTable;
  drivers: DriversTable;
  vehicles: VehiclesTable;
  outbox: OutboxTable;
}
