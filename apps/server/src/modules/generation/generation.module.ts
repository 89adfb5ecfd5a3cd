import type { GenerationEntity } from '@loadline/contracts';
import type { LoadlineModule } from '../module';
import type { Platform } from '../../platform/platform';
import type { RealtimeSink } from '../../platform/realtime/realtime-sink.port';
import { registerGenerationJobs } from './generation.job';
import type { PricingCatalog } from '../pricing/pricing-catalog';
import { GenerationRepository } from './generation.repository';
import { generationRoutes } from './generation.routes';
import { GenerationService } from './generation.service';

/** `/v1/admin/generate*` (admins); plans and writes generation chunks (worker role). */
export interface GenerationModule extends LoadlineModule {
  readonly service: GenerationService;
  startWorkers(): void;
}

export function createGeneration(deps: {
  platform: Pick<Platform, 'router' | 'ids' | 'clock' | 'queue' | 'config' | 'logger'>;
  catalog: PricingCatalog;
  sink: RealtimeSink;
  onWritten?: (entity: GenerationEntity) => void;
}): GenerationModule {
  const { platform } = deps;
  const settings = platform.config.generation;
  const logger = platform.logger.child({ module: 'generation' });
  const repository = new GenerationRepository({
    onLoadDataRefused: (error) =>
      logger.warn({ err: error }, 'LOAD DATA LOCAL INFILE refused; generated rows are written with INSERT'),
  });
  const service = new GenerationService({
    router: platform.router,
    ids: platform.ids,
    clock: platform.clock,
    queue: platform.queue,
    repository,
    sink: deps.sink,
    settings,
    region: deps.catalog.regionFor(settings.center),
    logger,
    ...(deps.onWritten === undefined ? {} : { onWritten: deps.onWritten }),
  });
  return {
    service,
    name: 'generation',
    routes: (authenticator) => [generationRoutes({ generation: service, authenticator })],
    startWorkers: () => registerGenerationJobs(platform.queue, service, settings.concurrency),
  };
}
