import type { WebhookSettings } from '../../config/config';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { Shard } from '../../platform/db/shard-pool';
import { EXCERPT_CHARS, postJson, type HttpAnswer } from './webhook-http';
import type { AttemptOutcome, WebhookMetrics } from './webhook-metrics';
import type { SecretBox } from '../../lib/secret-box';
import { signatureHeader } from './webhook-signing';
import type { CheckedUrl, WebhookUrlPolicy } from './webhook-url-policy';
import type { WebhookEndpointsCache } from './webhook-endpoints-cache';
import type { WebhookDeliveryRow, WebhookEndpointRow, WebhooksRepository } from './webhooks.repository';

/** Told when an endpoint is disabled for failing too long, so its owner hears of it. */
export type EndpointDisabledListener = (endpoint: WebhookEndpointRow) => Promise<void>;

export interface WebhookSenderDeps {
  shards: readonly Shard[];
  webhooks: WebhooksRepository;
  /** Disabling an endpoint changes its customer's set (ADR 0038). */
  endpoints: Pick<WebhookEndpointsCache, 'change'>;
  policy: WebhookUrlPolicy;
  secrets: SecretBox;
  clock: Clock;
  settings: WebhookSettings;
  metrics: WebhookMetrics;
  onDisabled: EndpointDisabledListener;
  logger: Logger;
  /** [0, 1); the jitter of retry delays. */
  random?: () => number;
  /** The HTTP client; tests may hand in another. */
  post?: typeof postJson;
}

/** Delay before retry number `attempt` (1-based): doubling from the base up to the cap, the upper half jittered. */
export function retryDelayMs(
  settings: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffMaxMs'>,
  attempt: number,
  random: number,
): number {
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

interface Outcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/**
 * Sends due webhook deliveries (worker role). The state is in SQL: each
 * worker sweeps every shard for deliveries due, claims one with a lease (a
 * conditional update, so two workers never send the same attempt), POSTs it
 * signed and writes the outcome; a worker that dies mid-attempt leaves a lease
 * that lapses, and another worker (or this one restarted) sends it again.
 * A booking's deliveries to an endpoint go in `seq` order: a later one is not
 * due while an earlier one is pending. Attempts are bounded in all and per
 * endpoint, and never awaited by the sweep, so a slow endpoint holds only its
 * own slots and never delays another endpoint.
 */
export class WebhookSender {
  private readonly random: () => number;
  private readonly post: typeof postJson;
  private readonly perEndpoint = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private lastPrune = 0;

  constructor(private readonly deps: WebhookSenderDeps) {
    this.random = deps.random ?? Math.random;
    this.post = deps.post ?? postJson;
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), this.deps.settings.sweepIntervalMs);
    this.timer.unref();
    this.poke();
  }

  /** Looks for due deliveries soon: after new ones were stored, or an attempt ended. */
  poke(): void {
    if (this.stopped) {
      return;
    }
    if (this.sweeping !== null) {
      this.again = true;
      return;
    }
    this.sweeping = this.sweep()
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'webhook sweep failed');
      })
      .finally(() => {
        this.sweeping = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Starts no new attempts. */
  stopping(): void {
    this.stopped = true;
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /**
   * Stops: attempts under way are cut off and leave their lease to lapse, as
   * a killed worker's would, so another sender makes them again.
   */
  async stop(): Promise<void> {
    this.stopping();
    this.abort.abort();
    await this.sweeping;
    await Promise.allSettled([...this.running]);
  }

  /** One pass over every shard; resolves when every attempt it began has begun. Prunes the log hourly. */
  private async sweep(): Promise<void> {
    await this.pruneHourly();
    const results = await Promise.allSettled(this.deps.shards.map((shard) => this.sweepShard(shard)));
    let oldest = 0;
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') {
        oldest = Math.max(oldest, result.value);
      } else {
        this.deps.logger.warn(
          { err: result.reason, shard: this.deps.shards[index]?.label },
          'webhook sweep failed',
        );
      }
    }
    this.deps.metrics.oldestDue(oldest / 1000);
  }

  private async pruneHourly(): Promise<void> {
    const { clock, settings, shards, webhooks, logger } = this.deps;
    const now = clock.now();
    if (now - this.lastPrune < 3600_000) {
      return;
    }
    this.lastPrune = now;
    const results = await Promise.allSettled(
      shards.map((shard) => webhooks.pruneFinished(shard.db, now - settings.logRetentionMs)),
    );
    for (const [index, result] of results.entries()) {
      if (result.status === 'rejected') {
        logger.warn({ err: result.reason, shard: shards[index]?.label }, 'webhook log pruning failed');
      }
    }
  }

  /**
   * Starts the shard's due attempts there is room for; returns how long its
   * oldest due delivery has waited. Looks even with every slot taken: that is
   * when deliveries wait, and the queue age must say so.
   */
  private async sweepShard(shard: Shard): Promise<number> {
    const { settings, webhooks, clock } = this.deps;
    if (this.stopped) {
      return 0;
    }
    const now = clock.now();
    const busy = [...this.perEndpoint]
      .filter(([, running]) => running >= settings.endpointConcurrency)
      .map(([endpointId]) => endpointId);
    const due = await webhooks.due(shard.db, now, settings.concurrency * 4, busy);
    const first = due[0];
    const waited = first === undefined || first.next_attempt_at === null ? 0 : now - first.next_attempt_at;
    for (const row of due) {
      if (!this.mayStart()) {
        break;
      }
      if ((this.perEndpoint.get(row.endpoint_id) ?? 0) >= settings.endpointConcurrency) {
        continue;
      }
      // Long enough for the attempt's timeout and writing its outcome, twice over.
      const lease = clock.now() + settings.timeoutMs * 2 + 1_000;
      if (!(await webhooks.claim(shard.db, row.id, clock.now(), lease))) {
        continue;
      }
      this.track(row.endpoint_id, this.attempt(shard, row, lease));
    }
    return waited;
  }

  /** Running, with room for another attempt. */
  private mayStart(): boolean {
    return !this.stopped && this.inFlight < this.deps.settings.concurrency;
  }

  private track(endpointId: string, attempt: Promise<void>): void {
    this.inFlight += 1;
    this.perEndpoint.set(endpointId, (this.perEndpoint.get(endpointId) ?? 0) + 1);
    const running = attempt
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, endpointId }, 'webhook attempt could not be recorded');
      })
      .finally(() => {
        this.inFlight -= 1;
        const left = (this.perEndpoint.get(endpointId) ?? 1) - 1;
        if (left === 0) {
          this.perEndpoint.delete(endpointId);
        } else {
          this.perEndpoint.set(endpointId, left);
        }
        this.running.delete(running);
        this.poke();
      });
    this.running.add(running);
  }

  private async attempt(shard: Shard, row: WebhookDeliveryRow, lease: number): Promise<void> {
    const { webhooks, policy, secrets, clock, settings } = this.deps;
    const endpoint = await webhooks.findEndpoint(shard.db, row.endpoint_id);
    if (endpoint === undefined || endpoint.status !== 'active') {
      // Deleted (its log went with it) or disabled (its pending deliveries were given up).
      return;
    }
    const started = performance.now();
    let outcome: Outcome;
    try {
      const target: CheckedUrl = await policy.check(endpoint.url);
      const secret = secrets.open(endpoint.secret);
      const headers = {
        'loadline-event-id': row.event_id,
        'loadline-signature': signatureHeader(secret, Math.floor(clock.now() / 1000), row.body),
      };
      outcome = judge(await this.post(target, row.body, headers, settings.timeoutMs, this.abort.signal));
    } catch (error) {
      if (this.abort.signal.aborted) {
        // Stopping: like a killed worker, leave the lease to lapse so the attempt is made again.
        return;
      }
      outcome = {
        ok: false,
        statusCode: null,
        error: excerpt(error instanceof Error ? error.message : String(error)),
      };
    }
    await this.settle(shard, endpoint, row, lease, outcome, (performance.now() - started) / 1000);
  }

  private async settle(
    shard: Shard,
    endpoint: WebhookEndpointRow,
    row: WebhookDeliveryRow,
    lease: number,
    outcome: Outcome,
    seconds: number,
  ): Promise<void> {
    const { webhooks, clock, settings, logger } = this.deps;
    const now = clock.now();
    const attempts = row.attempts + 1;
    const result: AttemptOutcome = outcome.ok
      ? 'succeeded'
      : now >= row.retry_from + settings.retryWindowMs
        ? 'failed'
        : 'retrying';
    const recorded = await webhooks.recordAttempt(shard.db, row.id, lease, {
      status: result === 'retrying' ? 'pending' : result,
      statusCode: outcome.statusCode,
      error: outcome.error,
      nextAttemptAt: result === 'retrying' ? now + retryDelayMs(settings, attempts, this.random()) : null,
      at: now,
    });
    this.deps.metrics.attempted(result, seconds);
    logger.debug(
      { deliveryId: row.id, endpointId: endpoint.id, eventId: row.event_id, attempts, result, recorded },
      'webhook attempt',
    );
    if (outcome.ok) {
      await webhooks.markHealthy(shard.db, endpoint.id, now);
      return;
    }
    const failingSince = await webhooks.markFailing(shard.db, endpoint.id, now);
    if (failingSince !== null && now - failingSince >= settings.disableAfterMs) {
      const hours = Math.round(settings.disableAfterMs / 3600_000);
      const disabled = await this.deps.endpoints.change(shard, endpoint.customer_id, (trx) =>
        webhooks.disable(trx, endpoint.id, now, `endpoint disabled: failing for ${hours} h`),
      );
      if (disabled) {
        logger.warn(
          { endpointId: endpoint.id, customerId: endpoint.customer_id, failingSince },
          'webhook endpoint disabled',
        );
        await this.deps.onDisabled(endpoint);
      }
    }
  }
}

function judge(answer: HttpAnswer): Outcome {
  if (answer.status >= 200 && answer.status < 300) {
    return { ok: true, statusCode: answer.status, error: null };
  }
  return { ok: false, statusCode: answer.status, error: excerpt(`HTTP ${answer.status}: ${answer.excerpt}`) };
}

function excerpt(text: string): string {
  return text.slice(0, EXCERPT_CHARS);
}
