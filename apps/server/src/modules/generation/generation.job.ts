import { withLongQueries } from '../../platform/db/query-timeout';
import type { JobQueue } from '../../platform/queue/job-queue.port';
import { GENERATION_CHUNK_JOB, GENERATION_PLAN_JOB, type GenerationService } from './generation.service';

/**
 * Plans generation jobs into chunks and writes the chunks (worker role). A
 * chunk's multi-row statements run under the long query timeout.
 */
export function registerGenerationJobs(
  queue: JobQueue,
  service: GenerationService,
  concurrency: number,
): void {
  queue.process(GENERATION_PLAN_JOB, (job) => withLongQueries(() => service.plan(job.data.jobId)));
  queue.process(
    GENERATION_CHUNK_JOB,
    (job) => withLongQueries(() => service.runChunk(job.data, job.attempt)),
    {
      concurrency,
    },
  );
}
