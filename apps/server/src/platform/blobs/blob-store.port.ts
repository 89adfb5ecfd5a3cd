/** A stored file: its bytes and the content type they were checked to be. */
export interface Blob {
  contentType: string;
  bytes: Buffer;
}

/**
 * Files kept by ID (proof-of-delivery photos and signatures): on disk under
 * DATA_DIR in embedded mode, on the shard the ID names in cluster mode, so
 * every instance reads what any instance wrote (ADR 0025). A `put` is
 * durable when it resolves.
 */
export interface BlobStore {
  /** Stores `blob` under `id` (an ID: it names the shard); a second put of one id replaces it. */
  put(id: string, blob: Blob): Promise<void>;
  /** The blob, or null when there is none. */
  get(id: string): Promise<Blob | null>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}
