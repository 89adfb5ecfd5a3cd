import type { FastifyInstance } from 'fastify';
import type { GenerationEntity } from '@loadline/contracts';
import type { Authenticator } from '../auth/authenticator';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { registerGenerationJobs } from '../../jobs/generation.job';
import type { PricingCatalog } from '../pricing/pricing-catalog';
import { GenerationRepository } from './generation.repository';
import { generationRoutes } from './generation.routes';
import { GenerationService } from './generation.service';

export interface GenerationModule {
  readonly service: GenerationService;
  routes(authenticator: Authenticator): (root: FastifyInstance) => Promise<void>;
  registerJobs(): void;
}

export function createGeneration(deps: {
  platform: Pick<Platform, 'router' | 'ids' | 'clock' | 'queue' | 'config' | 'logger'>;
  catalog: PricingCatalog;
  sink: RealtimeSink;
  onWritten?: (entity: GenerationEntity) => void;
}): GenerationModule {
  const { platform } = deps;
  const settings = platform.config.generation;
  const service = new GenerationService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    queue: platform.queue,
    repository: new GenerationRepository(),
    sink: deps.sink,
    settings,
    region: deps.catalog.regionFor(settings.center),
    logger: platform.logger.child({ module: 'generation' }),
    ...(deps.onWritten === undefined ? {} : { onWritten: deps.onWritten }),
  });
  return {
    service,
    routes: (authenticator) => generationRoutes({ generation: service, authenticator }),
    registerJobs: () => registerGenerationJobs(platform.queue, service, settings.concurrency),
  };
}
