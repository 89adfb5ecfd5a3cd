import { randomInt } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Id, VehicleTypeSchema, type GenerationEntity, type GenerationJob } from '@loadline/contracts';
import type { Config } from '../../config/config';
import type { Clock } from '../../lib/clock';
import { AppError, errors } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { retryOnConflict } from '../../platform/db/db-errors';
import type { IdGenerator } from '../../platform/db/ids';
import type { Shard } from '../../platform/db/shard-pool';
import type { ShardRouter } from '../../platform/db/shard-router';
import { StoredJson } from '../../lib/message-kind';
import { JobType, type JobData, type JobQueue } from '../../platform/queue/job-queue.port';
import { rooms, type RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import type { PricingRegion } from '../pricing/pricing-catalog';
import type { GenerationJobRow, GenerationRepository } from './generation.repository';
import type { ChunkPlan, Placement, PooledDriver } from './chunk-plan';
import { buildChunk } from './record-builders';

/** Splits a generation job into chunks. */
export const GENERATION_PLAN_JOB = new JobType('generation.plan', Type.Object({ jobId: Id }));
/** Writes one chunk of a generation job. */
export const GENERATION_CHUNK_JOB = new JobType(
  'generation.chunk',
  Type.Object({ jobId: Id, chunk: Type.Integer({ minimum: 0 }) }),
);
/** Tries of one chunk before its job is marked failed. */
export const CHUNK_ATTEMPTS = 8;

/** Customers and drivers per shard that generated bookings are spread over. */
const POOL_PER_SHARD = 500;
const PROGRESS_EVERY_MS = 1_000;

export type PlanJobData = JobData<typeof GENERATION_PLAN_JOB>;
export type ChunkJobData = JobData<typeof GENERATION_CHUNK_JOB>;

/** `generation_jobs.params`: what every chunk of a job is built from. Jobs of older versions also carry a `passwordHash`, which is ignored. */
const JOB_PARAMS = new StoredJson(
  'generation_jobs.params',
  Type.Object({
    area: Type.Object({
      center: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
      radiusKm: Type.Number({ exclusiveMinimum: 0 }),
    }),
    historyDays: Type.Integer({ minimum: 0 }),
    customers: Type.Array(Id),
    drivers: Type.Array(Type.Object({ id: Id, vehicleType: VehicleTypeSchema, capacityKg: Type.Number() })),
  }),
);
type JobParams = Static<typeof JOB_PARAMS.schema>;

export interface GenerationServiceDeps {
  router: ShardRouter;
  ids: IdGenerator;
  clock: Clock;
  queue: JobQueue;
  repository: GenerationRepository;
  sink: RealtimeSink;
  settings: Config['generation'];
  /** The pricing region of the generation area: generated prices follow its rates. */
  region: PricingRegion;
  logger: Logger;
  /** Called after rows of `entity` were written (list caches drop their pages). */
  onWritten?: (entity: GenerationEntity) => void;
}

/**
 * Bulk generation of realistic records through the job queue. A job is split
 * into chunks; each chunk is built from the job's seed alone, so any try of it
 * builds the same rows, and each shard's part of it commits with a mark, so a
 * worker killed mid-chunk leaves nothing half-written and a retry writes only
 * the parts that are missing. The job's progress counts each chunk once.
 */
export class GenerationService {
  private readonly params = new Map<string, JobParams>();
  private readonly lastPush = new Map<string, number>();

  constructor(private readonly deps: GenerationServiceDeps) {}

  /** Where jobs live: the shard of logical shard 0, so their generation indexes are handed out in one place. */
  private get controlShard(): Shard {
    return this.deps.router.forLogical(0);
  }

  async start(entity: GenerationEntity, count: number): Promise<GenerationJob> {
    const { router, clock, settings } = this.deps;
    let customers: string[] = [];
    let drivers: PooledDriver[] = [];
    if (entity === 'bookings') {
      const pools = await Promise.all(
        router.shards.map(async (shard) => ({
          customers: await this.deps.repository.customerPool(shard, POOL_PER_SHARD),
          drivers: await this.deps.repository.driverPool(shard.db, POOL_PER_SHARD),
        })),
      );
      customers = pools.flatMap((pool) => pool.customers);
      drivers = pools.flatMap((pool) => pool.drivers);
      if (customers.length === 0 || drivers.length === 0) {
        throw new AppError(
          409,
          'nothing_to_book',
          'Bookings need customers and drivers: generate users and drivers first.',
        );
      }
    }
    const params: JobParams = {
      area: { center: { ...settings.center }, radiusKm: settings.radiusKm },
      historyDays: settings.historyDays,
      customers,
      drivers,
    };
    const now = clock.now();
    const control = this.controlShard;
    const id = this.deps.ids.next(0);
    await retryOnConflict(() =>
      control.db.transaction().execute(async (trx) => {
        const indexBase = await this.deps.repository.nextIndexBase(trx, control.dialect);
        await this.deps.repository.insertJob(trx, {
          id,
          entity,
          state: 'queued',
          total: count,
          done: 0,
          chunk_size: settings.chunkSize,
          seed: randomInt(1, 2 ** 31),
          index_base: indexBase,
          params: JOB_PARAMS.write(params),
          error: null,
          started_at: now,
          finished_at: null,
          updated_at: now,
        });
      }),
    );
    await this.deps.queue.enqueue(GENERATION_PLAN_JOB, { jobId: id } satisfies PlanJobData, {
      jobId: `generation-plan:${id}`,
    });
    this.deps.logger.info({ jobId: id, entity, count }, 'generation job queued');
    return this.status(id);
  }

  async status(id: string): Promise<GenerationJob> {
    const row = await this.deps.repository.findJob(this.deps.router.forId(id).db, id);
    if (row === undefined) {
      throw errors.notFound('Generation job');
    }
    return present(row, this.deps.clock.now());
  }

  /** Queues every chunk of a job (each under its own queue ID, so planning twice queues nothing new). */
  async plan(jobId: string): Promise<void> {
    const job = await this.job(jobId);
    if (job === undefined || job.state === 'completed' || job.state === 'failed') {
      return;
    }
    const chunks = Math.ceil(job.total / job.chunk_size);
    const batch = 200;
    for (let start = 0; start < chunks; start += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, chunks - start) }, (_, offset) => {
          const chunk = start + offset;
          return this.deps.queue.enqueue(GENERATION_CHUNK_JOB, { jobId, chunk } satisfies ChunkJobData, {
            jobId: `generation:${jobId}:${chunk}`,
            attempts: CHUNK_ATTEMPTS,
            backoffMs: 500,
          });
        }),
      );
    }
    await this.deps.repository.setState(this.controlDb(jobId), jobId, {
      state: 'running',
      now: this.deps.clock.now(),
    });
    this.push(await this.status(jobId), true);
  }

  /** Writes one chunk: each shard's part once, then the job's progress once. */
  async runChunk(data: ChunkJobData, attempt: number): Promise<void> {
    const job = await this.job(data.jobId);
    if (job === undefined || job.state === 'completed' || job.state === 'failed') {
      return;
    }
    try {
      await this.writeChunk(job, data.chunk);
    } catch (error) {
      if (attempt >= CHUNK_ATTEMPTS) {
        const message = error instanceof Error ? error.message : String(error);
        await this.deps.repository.setState(this.controlDb(job.id), job.id, {
          state: 'failed',
          now: this.deps.clock.now(),
          error: `chunk ${data.chunk}: ${message}`,
        });
        this.push(await this.status(job.id), true);
      }
      throw error;
    }
  }

  private async writeChunk(job: GenerationJobRow, chunk: number): Promise<void> {
    const { router, repository, clock } = this.deps;
    const params = this.paramsOf(job);
    const firstRow = chunk * job.chunk_size;
    const rows = Math.min(job.chunk_size, job.total - firstRow);
    if (rows <= 0) {
      return;
    }
    const plan: ChunkPlan = {
      entity: job.entity,
      seed: job.seed,
      chunk,
      firstRow,
      rows,
      total: job.total,
      indexBase: job.index_base,
      startedAt: job.started_at,
      historyDays: params.historyDays,
      area: params.area,
      customers: params.customers,
      drivers: params.drivers,
    };
    const placement: Placement = {
      shardOfId: (id) => router.forId(id).index,
      shardOfLogical: (logical) => router.forLogical(logical).index,
      logicalForKey: (key) => router.logicalForKey(key),
      shardOfKey: (key) => router.forKey(key).index,
    };
    const batches = await buildChunk(plan, placement, this.deps.region);
    await Promise.all(
      [...batches].map(async ([index, batch]) => {
        const shard = router.shards[index];
        if (shard === undefined) {
          throw new Error(`no shard ${index}`);
        }
        await retryOnConflict(() =>
          shard.db.transaction().execute(async (trx) => {
            if (await repository.mark(trx, shard.dialect, job.id, chunk, `shard:${index}`)) {
              await repository.writeBatch(trx, shard.dialect, batch);
            }
          }),
        );
      }),
    );
    const control = router.forId(job.id);
    await retryOnConflict(() =>
      control.db.transaction().execute(async (trx) => {
        if (await repository.mark(trx, control.dialect, job.id, chunk, 'done')) {
          await repository.addProgress(trx, job.id, rows, clock.now());
        }
      }),
    );
    this.deps.onWritten?.(job.entity);
    const status = await this.status(job.id);
    this.push(status, status.state !== 'running');
  }

  private async job(jobId: string): Promise<GenerationJobRow | undefined> {
    return this.deps.repository.findJob(this.controlDb(jobId), jobId);
  }

  private controlDb(jobId: string) {
    return this.deps.router.forId(jobId).db;
  }

  private paramsOf(job: GenerationJobRow): JobParams {
    let params = this.params.get(job.id);
    if (params === undefined) {
      params = JOB_PARAMS.read(job.params);
      this.params.set(job.id, params);
      // A process sees few jobs; keep the last handful parsed.
      if (this.params.size > 8) {
        const [oldest] = this.params.keys();
        if (oldest !== undefined) {
          this.params.delete(oldest);
        }
      }
    }
    return params;
  }

  /** Admins see progress at most once a second per job and process, and always the end. */
  private push(job: GenerationJob, always: boolean): void {
    const now = this.deps.clock.now();
    const last = this.lastPush.get(job.id) ?? 0;
    if (!always && now - last < PROGRESS_EVERY_MS) {
      return;
    }
    this.lastPush.set(job.id, now);
    this.deps.sink.deliver({ rooms: [rooms.admin], event: 'generationProgress', data: job });
    if (job.state === 'completed' || job.state === 'failed') {
      this.lastPush.delete(job.id);
      this.params.delete(job.id);
    }
  }
}

export function present(row: GenerationJobRow, now: number): GenerationJob {
  const end = row.finished_at ?? now;
  const seconds = Math.max(0.001, (end - row.started_at) / 1000);
  const rate = Math.round((row.done / seconds) * 10) / 10;
  const remaining = row.total - row.done;
  return {
    id: row.id,
    entity: row.entity,
    state: row.state,
    done: row.done,
    total: row.total,
    rate,
    etaSeconds:
      row.state === 'completed' || row.state === 'failed'
        ? null
        : rate > 0
          ? Math.ceil(remaining / rate)
          : null,
    startedAt: new Date(row.started_at).toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: new Date(row.finished_at).toISOString() }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}
