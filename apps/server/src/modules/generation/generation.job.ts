import type { JobQueue } from '../../platform/queue/job-queue.port';
import { GENERATION_CHUNK_JOB, GENERATION_PLAN_JOB, type GenerationService } from './generation.service';

/** Plans generation jobs into chunks and writes the chunks (worker role). */
export function registerGenerationJobs(
  queue: JobQueue,
  service: GenerationService,
  concurrency: number,
): void {
  queue.process(GENERATION_PLAN_JOB, (job) => service.plan(job.data.jobId));
  queue.process(GENERATION_CHUNK_JOB, (job) => service.runChunk(job.data, job.attempt), {
    concurrency,
  });
}
