import type { FastifyInstance } from 'fastify';
import type { Authenticator } from './auth/authenticator';

/** A Fastify plugin holding some of a module's routes. */
export type RoutePlugin = (root: FastifyInstance) => Promise<void>;

/**
 * What a domain module gives the composition root, which walks its list of
 * modules and starts each part in the roles that run it. Every part is
 * optional; the names say when each runs.
 */
export interface LoadlineModule {
  readonly name: string;
  /** REST routes (api role). */
  routes?(authenticator: Authenticator): readonly RoutePlugin[];
  /** Outbox consumers, queue processors and sweeps (worker role). */
  startWorkers?(): void;
  /** Before the process serves, in every role: warm indexes, start writers. */
  start?(): Promise<void>;
  /** As the process starts to drain: stop timers that would start new work. */
  stopping?(): void;
  /** After in-flight requests, before the pools close: write out what is buffered. */
  stop?(): Promise<void>;
}
