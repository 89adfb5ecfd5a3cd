import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed';

/** The sender's Prometheus metrics, in the app's registry. */
export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly latency: Histogram<'outcome'>;
  private readonly queueAge: Gauge;

  constructor(registry: Registry) {
    this.attempts = new Counter({
      name: 'loadline_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: succeeded, retrying (failed, tried again later) or failed (given up)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'loadline_webhook_delivery_duration_seconds',
      help: 'Time from sending a webhook to its answer (or failure), by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.queueAge = new Gauge({
      name: 'loadline_webhook_queue_age_seconds',
      help: 'How long the oldest webhook delivery due has waited for an attempt, at the last sweep',
      registers: [registry],
    });
  }

  attempted(outcome: AttemptOutcome, seconds: number): void {
    this.attempts.inc({ outcome });
    this.latency.observe({ outcome }, seconds);
  }

  oldestDue(seconds: number): void {
    this.queueAge.set(seconds);
  }
}
