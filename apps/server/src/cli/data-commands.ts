import { parseArgs } from 'node:util';
import { GENERATION_ENTITIES, type GenerationEntity, type GenerationJob } from '@loadline/contracts';
import { createApp } from '../app';
import type { Config } from '../config/config';

const MAX_COUNT = 50_000_000;

/**
 * `loadline generate users|drivers|bookings --count N`: queues a generation job
 * and works on it in this process (with any other workers of the deployment),
 * drawing a progress bar until it ends.
 */
export async function generateCommand(config: Config, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { count: { type: 'string' } },
    allowPositionals: true,
  });
  const entity = positionals[0];
  if (entity === undefined || !GENERATION_ENTITIES.some((known) => known === entity)) {
    throw new Error(`generate needs one of ${GENERATION_ENTITIES.join(', ')}`);
  }
  const count = Number(values.count?.replace(/_/g, ''));
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new Error(`--count must be a whole number from 1 to ${MAX_COUNT}`);
  }
  const app = await createApp({ config: { ...config, logLevel: 'warn' }, roles: [] });
  try {
    app.services.generation.startWorkers();
    const started = await app.services.generation.service.start(entity as GenerationEntity, count);
    const bar = new ProgressBar(process.stdout);
    let job = started;
    while (job.state === 'queued' || job.state === 'running') {
      bar.draw(job);
      await new Promise((resolve) => setTimeout(resolve, 500));
      job = await app.services.generation.service.status(started.id);
    }
    bar.draw(job);
    bar.end();
    if (job.state === 'failed') {
      throw new Error(`generation job ${job.id} failed: ${job.error ?? 'unknown error'}`);
    }
    const seconds =
      job.finishedAt === undefined ? 0 : (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
    process.stdout.write(
      `generated ${job.done.toLocaleString('en-US')} ${job.entity} in ${seconds.toFixed(1)} s ` +
        `(${Math.round(job.done / Math.max(seconds, 0.001)).toLocaleString('en-US')} rows/s); ` +
        `generated accounts have no password until \`loadline admin reset-password\` sets one\n`,
    );
  } finally {
    await app.close();
  }
}

/** `loadline analytics rebuild`: recounts every roll-up from the bookings; the workers keep running. */
export async function analyticsCommand(config: Config, argv: string[]): Promise<void> {
  if (argv[0] !== 'rebuild') {
    throw new Error(`unknown analytics command "${argv[0] ?? ''}" (try: analytics rebuild)`);
  }
  const app = await createApp({ config: { ...config, logLevel: 'warn' }, roles: [] });
  try {
    const started = Date.now();
    const report = await app.services.analytics.rebuild({
      onProgress: (bookings) => {
        if (process.stdout.isTTY) {
          process.stdout.write(`\rrecounted ${bookings.toLocaleString('en-US')} bookings`);
        }
      },
    });
    process.stdout.write(
      `${process.stdout.isTTY ? '\n' : ''}rebuilt the roll-ups from ${report.bookings.toLocaleString('en-US')} bookings ` +
        `(${report.bookingRows} booking-day rows, ${report.driverRows} driver-day rows, ` +
        `${report.stopFailureRows} failed-stop rows, ${report.unfilledBookings} expired bookings as unfilled demand) in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await app.close();
  }
}

class ProgressBar {
  private lastLine = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  draw(job: GenerationJob): void {
    const fraction = job.total === 0 ? 1 : job.done / job.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const eta = job.etaSeconds === null ? '' : ` · ETA ${formatSeconds(job.etaSeconds)}`;
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
      `${job.done.toLocaleString('en-US')}/${job.total.toLocaleString('en-US')} ${job.entity} · ` +
      `${Math.round(job.rate).toLocaleString('en-US')} rows/s${eta} (${job.state})`;
    if (this.out.isTTY) {
      this.out.write(`\r${line.padEnd(100)}`);
    } else if (Date.now() - this.lastLine >= 5_000 || job.state !== 'running') {
      this.lastLine = Date.now();
      this.out.write(`${line}\n`);
    }
  }

  end(): void {
    if (this.out.isTTY) {
      this.out.write('\n');
    }
  }
}

function formatSeconds(seconds: number): string {
  return seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`;
}
