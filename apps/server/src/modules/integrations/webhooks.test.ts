/**
 * Webhooks end to end in both tiers, against a real HTTP receiver on
 * 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE on for the app under test): signed
 * deliveries from committed booking events, retries with the log showing
 * them, isolation of a hanging endpoint, replay, per-booking seq order,
 * nothing for a rolled-back change, nothing lost when the worker dies
 * mid-attempt, private addresses refused without the setting, and an
 * endpoint failing for days disabled with its owner told.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuthResponse,
  Booking,
  CreatedApiKey,
  CreatedWebhook,
  ErrorEnvelope,
  Notification,
  Webhook,
  WebhookDelivery,
  WebhookEventType,
} from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { logicalShardOf } from '../../platform/db/ids';
import { BOOKING_STATUS_CHANGED } from '../events/booking-events';
import { bearer } from '../../../test/support/factories';
import { book, newCustomer } from '../../../test/support/fleet';
import { drained } from '../../../test/support/drained';
import { ShiftedClock } from '../../../test/support/shifted-clock';
import { TestEnvironment } from '../../../test/support/test-env';
import { isCluster, tier } from '../../../test/support/tier';
import { startServerProcess } from '../../../test/support/processes';
import { waitFor } from '../../../test/support/wait';
import {
  deliveredEvent,
  WebhookReceiver,
  type ReceivedRequest,
} from '../../../test/support/webhook-receiver';

const WEBHOOK_ENV = {
  RATE_LIMITS: 'off',
  WEBHOOK_ALLOW_PRIVATE: 'on',
  WEBHOOK_BACKOFF_BASE_MS: '40',
  WEBHOOK_BACKOFF_MAX_MS: '200',
  WEBHOOK_TIMEOUT_MS: '1500',
  WEBHOOK_SWEEP_INTERVAL_MS: '50',
  // The last test moves the clock five weeks on; sessions must outlive that.
  SESSION_TTL_HOURS: '2000',
};

type Injected = Awaited<ReturnType<LoadlineApp['http']['inject']>>;

function expectError(response: Injected, status: number, code: string): void {
  expect({ status: response.statusCode, code: response.json<ErrorEnvelope>().error.code }).toEqual({
    status,
    code,
  });
}

/** What a receiver does: the signature header's v1 must be the HMAC of `<t>.<raw body>` with the secret. */
function verifies(request: ReceivedRequest, secret: string): boolean {
  const header = String(request.headers['loadline-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) {
    return false;
  }
  const expected = createHmac('sha256', secret).update(`${match[1]}.${request.body}`).digest('hex');
  return expected === match[2];
}

async function createWebhook(
  app: LoadlineApp,
  token: string,
  url: string,
  events: WebhookEventType[] = ['booking.status_changed'],
): Promise<CreatedWebhook> {
  const response = await app.http.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(token),
    payload: { url, events },
  });
  expect(response.statusCode).toBe(201);
  return response.json<CreatedWebhook>();
}

async function deliveriesOf(app: LoadlineApp, token: string, webhookId: string): Promise<WebhookDelivery[]> {
  const response = await app.http.inject({
    method: 'GET',
    url: `/v1/webhooks/${webhookId}/deliveries`,
    headers: bearer(token),
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ items: WebhookDelivery[] }>().items;
}

async function cancel(app: LoadlineApp, token: string, bookingId: string): Promise<void> {
  const response = await app.http.inject({
    method: 'POST',
    url: `/v1/bookings/${bookingId}/cancel`,
    headers: bearer(token),
    payload: { reason: 'test' },
  });
  expect(response.statusCode).toBe(200);
}

describe(`webhooks (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;
  let receiver: WebhookReceiver;
  const clock = new ShiftedClock();

  beforeAll(async () => {
    env = await TestEnvironment.create('webhooks', { env: WEBHOOK_ENV });
    app = await env.start({ clock });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await env.destroy();
  });

  /** The requests at `path` for the booking, once there are `count` of them. */
  async function received(path: string, bookingId: string, count: number): Promise<ReceivedRequest[]> {
    const mine = () =>
      receiver.at(path).filter((request) => deliveredEvent(request).data.booking.id === bookingId);
    await waitFor(() => mine().length >= count, 15_000);
    return mine();
  }

  it('a booking event is POSTed signed: it verifies with the secret and not with another', async () => {
    const customer = await newCustomer(app);
    const webhook = await createWebhook(app, customer.token, receiver.url('/signed'));
    const other = await createWebhook(app, customer.token, receiver.url('/other'), ['booking.expired']);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const booking = await book(app, customer.token);

    const [request] = await received('/signed', booking.id, 1);
    if (request === undefined) {
      throw new Error('no request');
    }
    const body = deliveredEvent(request);
    expect(body.type).toBe('booking.status_changed');
    expect(body.data.booking.id).toBe(booking.id);
    expect(request.headers['loadline-event-id']).toBe(body.id);
    expect(request.headers['content-type']).toBe('application/json');
    expect(verifies(request, webhook.secret)).toBe(true);
    expect(verifies(request, other.secret)).toBe(false);
    const t = Number(/^t=(\d+)/.exec(String(request.headers['loadline-signature']))?.[1]);
    expect(Math.abs(t - clock.now() / 1000)).toBeLessThan(60);

    await waitFor(
      async () => (await deliveriesOf(app, customer.token, webhook.id))[0]?.status === 'succeeded',
    );
    const [delivery] = await deliveriesOf(app, customer.token, webhook.id);
    expect(delivery).toMatchObject({
      eventId: body.id,
      type: 'booking.status_changed',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    // Not subscribed to booking.status_changed: nothing for the other endpoint.
    expect(await deliveriesOf(app, customer.token, other.id)).toEqual([]);
  });

  it('a receiver answering 500 twice then 200 gets the event three times; the log shows the attempts', async () => {
    const customer = await newCustomer(app);
    receiver.script('/flaky', [500, 500, 200]);
    const webhook = await createWebhook(app, customer.token, receiver.url('/flaky'));
    const booking = await book(app, customer.token);

    const requests = await received('/flaky', booking.id, 3);
    expect(requests.map((request) => request.answered)).toEqual([500, 500, 200]);
    expect(new Set(requests.map((request) => request.headers['loadline-event-id'])).size).toBe(1);
    await waitFor(
      async () => (await deliveriesOf(app, customer.token, webhook.id))[0]?.status === 'succeeded',
    );
    expect(await deliveriesOf(app, customer.token, webhook.id)).toMatchObject([
      { status: 'succeeded', attempts: 3, lastStatusCode: 200, lastError: null },
    ]);
  });

  it('a failing attempt is logged with its status code and an excerpt of the answer, and retried', async () => {
    const customer = await newCustomer(app);
    receiver.script('/failing', [503, 503, 503, 503, 503, 503, 503, 503, 'hang']);
    const webhook = await createWebhook(app, customer.token, receiver.url('/failing'));
    await book(app, customer.token);
    await waitFor(async () => ((await deliveriesOf(app, customer.token, webhook.id))[0]?.attempts ?? 0) >= 2);
    const [delivery] = await deliveriesOf(app, customer.token, webhook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      lastStatusCode: 503,
      lastError: 'HTTP 503: receiver says 503',
    });
    expect(delivery?.nextAttemptAt).not.toBeNull();
  });

  it('a redirect is a failed attempt and is not followed; a long answer is kept to 256 characters', async () => {
    const customer = await newCustomer(app);
    receiver.script('/moved', [302, 413, 'hang']);
    const webhook = await createWebhook(app, customer.token, receiver.url('/moved'));
    await book(app, customer.token);
    await waitFor(async () => ((await deliveriesOf(app, customer.token, webhook.id))[0]?.attempts ?? 0) >= 2);
    expect(receiver.at('/moved/followed')).toEqual([]);
    const [delivery] = await deliveriesOf(app, customer.token, webhook.id);
    expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: 413 });
    expect(delivery?.lastError).toBe(`HTTP 413: receiver says 413`.padEnd(256, '!'));
  });

  it('a receiver that hangs does not delay a second endpoint', async () => {
    const customer = await newCustomer(app);
    receiver.script('/hangs', ['hang']);
    await createWebhook(app, customer.token, receiver.url('/hangs'));
    const booking = await book(app, customer.token);
    await received('/hangs', booking.id, 1);
    // The second endpoint's event comes while the first endpoint's request hangs.
    await createWebhook(app, customer.token, receiver.url('/prompt'));
    await cancel(app, customer.token, booking.id);

    await received('/prompt', booking.id, 1);
    // The hanging request is still unanswered and open (its timeout is 1.5 s) while the other endpoint already got the event.
    const hanging = receiver
      .at('/hangs')
      .filter((request) => deliveredEvent(request).data.booking.id === booking.id);
    expect(hanging.map((request) => request.answered)).toEqual([null]);
    expect(hanging.map((request) => request.cut)).toEqual([false]);
  });

  it('replay sends a delivery again: 202, the same event arrives once more, the log counts the attempt', async () => {
    const customer = await newCustomer(app);
    const webhook = await createWebhook(app, customer.token, receiver.url('/replayed'));
    const booking = await book(app, customer.token);
    const [first] = await received('/replayed', booking.id, 1);
    await waitFor(
      async () => (await deliveriesOf(app, customer.token, webhook.id))[0]?.status === 'succeeded',
    );
    const [delivery] = await deliveriesOf(app, customer.token, webhook.id);
    if (delivery === undefined || first === undefined) {
      throw new Error('no delivery');
    }

    const replayed = await app.http.inject({
      method: 'POST',
      url: `/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/replay`,
      headers: bearer(customer.token),
    });
    expect(replayed.statusCode).toBe(202);
    const [, again] = await received('/replayed', booking.id, 2);
    expect(again?.headers['loadline-event-id']).toBe(first.headers['loadline-event-id']);
    expect(again?.body).toBe(first.body);
    await waitFor(async () => (await deliveriesOf(app, customer.token, webhook.id))[0]?.attempts === 2);
    expect(await deliveriesOf(app, customer.token, webhook.id)).toMatchObject([
      { status: 'succeeded', attempts: 2 },
    ]);

    const stranger = await newCustomer(app);
    expectError(
      await app.http.inject({
        method: 'POST',
        url: `/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/replay`,
        headers: bearer(stranger.token),
      }),
      404,
      'not_found',
    );
    expectError(
      await app.http.inject({
        method: 'POST',
        url: `/v1/webhooks/${webhook.id}/deliveries/${webhook.id}/replay`,
        headers: bearer(customer.token),
      }),
      404,
      'not_found',
    );
  });

  it("a booking's deliveries arrive in seq order even when the first was retried", async () => {
    const customer = await newCustomer(app);
    receiver.script('/ordered', [500, 500]);
    const webhook = await createWebhook(app, customer.token, receiver.url('/ordered'), [
      'booking.status_changed',
      'booking.cancelled',
    ]);
    const booking = await book(app, customer.token);
    await cancel(app, customer.token, booking.id);

    const requests = await received('/ordered', booking.id, 4);
    expect(requests.map((request) => [deliveredEvent(request).type, request.answered])).toEqual([
      ['booking.status_changed', 500],
      ['booking.status_changed', 500],
      ['booking.status_changed', 200],
      ['booking.cancelled', 200],
    ]);
    const ids = requests.map((request) => deliveredEvent(request).id);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
    await waitFor(async () =>
      (await deliveriesOf(app, customer.token, webhook.id)).every(
        (delivery) => delivery.status === 'succeeded',
      ),
    );
  });

  it('metrics count attempts by outcome, time them, and report the queue age', async () => {
    const customer = await newCustomer(app);
    receiver.script('/measured', [500]);
    await createWebhook(app, customer.token, receiver.url('/measured'));
    const booking = await book(app, customer.token);
    await received('/measured', booking.id, 2);
    await waitFor(async () => {
      const text = (await app.http.inject({ url: '/metrics' })).body;
      return /loadline_webhook_deliveries_total\{outcome="succeeded"\} [1-9]/.test(text);
    });
    const text = (await app.http.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/loadline_webhook_deliveries_total\{outcome="retrying"\} [1-9]/);
    expect(text).toMatch(/loadline_webhook_delivery_duration_seconds_count\{outcome="succeeded"\} [1-9]/);
    expect(text).toMatch(/^loadline_webhook_queue_age_seconds \d/m);
  });

  it('a change that rolled back sends nothing', async () => {
    const customer = await newCustomer(app);
    const webhook = await createWebhook(app, customer.token, receiver.url('/rolled-back'));
    const booking = await book(app, customer.token);
    await received('/rolled-back', booking.id, 1);

    const shard = app.platform.router.forId(booking.id);
    let eventId = '';
    await expect(
      shard.db.transaction().execute(async (trx) => {
        eventId = await app.platform.outbox.append(trx, {
          topic: BOOKING_STATUS_CHANGED,
          aggregateId: booking.id,
          payload: {
            bookingId: booking.id,
            customerId: customer.user.id,
            driverId: null,
            vehicleType: 'van',
            from: 'searching',
            to: 'cancelled',
            seq: 99,
            at: clock.now(),
            actor: { role: 'customer', id: customer.user.id },
          },
        });
        throw new Error('the change fails after writing its event');
      }),
    ).rejects.toThrow('the change fails');
    expect(eventId).not.toBe('');
    // A later committed change arrives, so the rolled-back one had every chance to.
    const later = await book(app, customer.token);
    await received('/rolled-back', later.id, 1);
    await drained(app);
    expect(receiver.requests.filter((request) => deliveredEvent(request).id === eventId)).toEqual([]);
    expect(
      (await deliveriesOf(app, customer.token, webhook.id)).map((delivery) => delivery.eventId),
    ).not.toContain(eventId);
  });

  it("the event after a webhook is created reaches it, even with the customer's set cached; after it is deleted, none does", async () => {
    const customer = await newCustomer(app);
    // The customer's events are consumed while they have no webhook: the empty set is cached.
    const before = await book(app, customer.token);
    await drained(app);
    const webhook = await createWebhook(app, customer.token, receiver.url('/created-later'));
    await cancel(app, customer.token, before.id);
    const [request] = await received('/created-later', before.id, 1);
    expect(request === undefined ? null : deliveredEvent(request).data.booking.status).toBe('cancelled');

    const deleted = await app.http.inject({
      method: 'DELETE',
      url: `/v1/webhooks/${webhook.id}`,
      headers: bearer(customer.token),
    });
    expect(deleted.statusCode).toBe(204);
    const after = await book(app, customer.token);
    await cancel(app, customer.token, after.id);
    await drained(app);
    expect(
      receiver.at('/created-later').filter((each) => deliveredEvent(each).data.booking.id === after.id),
    ).toEqual([]);
  });

  it('an API key needs webhooks:manage to manage webhooks', async () => {
    const customer = await newCustomer(app);
    const keyFor = async (scopes: string[]) => {
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(customer.token),
        payload: { name: 'integration', scopes },
      });
      return response.json<CreatedApiKey>().key;
    };
    const reader = await keyFor(['bookings:read', 'bookings:write']);
    expectError(
      await app.http.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: bearer(reader),
        payload: { url: receiver.url('/by-key'), events: ['booking.status_changed'] },
      }),
      403,
      'insufficient_scope',
    );
    const manager = await keyFor(['webhooks:manage']);
    const created = await app.http.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(manager),
      payload: { url: receiver.url('/by-key'), events: ['booking.status_changed'] },
    });
    expect(created.statusCode).toBe(201);
    const listed = await app.http.inject({
      method: 'GET',
      url: '/v1/webhooks',
      headers: bearer(customer.token),
    });
    expect(listed.json<{ items: Webhook[] }>().items).toEqual([
      {
        id: created.json<CreatedWebhook>().id,
        url: receiver.url('/by-key'),
        events: ['booking.status_changed'],
        status: 'active',
        createdAt: created.json<CreatedWebhook>().createdAt,
      },
    ]);
    expect(listed.body).not.toContain(created.json<CreatedWebhook>().secret);
    const deleted = await app.http.inject({
      method: 'DELETE',
      url: `/v1/webhooks/${created.json<CreatedWebhook>().id}`,
      headers: bearer(manager),
    });
    expect(deleted.statusCode).toBe(204);
    const after = await app.http.inject({
      method: 'GET',
      url: '/v1/webhooks',
      headers: bearer(customer.token),
    });
    expect(after.json<{ items: Webhook[] }>().items).toEqual([]);
  });

  it('private, loopback and link-local URLs are refused with 400 url_not_allowed without the setting', async () => {
    const strict = await env.start({ roles: ['api'], env: { WEBHOOK_ALLOW_PRIVATE: 'off' } });
    try {
      const customer = await newCustomer(strict);
      for (const url of [
        receiver.url('/private'),
        'http://localhost/hook',
        'http://[::1]/hook',
        'http://[::ffff:10.1.2.3]/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.8/hook',
        'http://192.168.1.20/hook',
        'https://[fd00::1]/hook',
        'ftp://example.com/hook',
        'https://user:pass@example.com/hook',
      ]) {
        const response = await strict.http.inject({
          method: 'POST',
          url: '/v1/webhooks',
          headers: bearer(customer.token),
          payload: { url, events: ['booking.status_changed'] },
        });
        expect({ url, status: response.statusCode, code: response.json<ErrorEnvelope>().error.code }).toEqual(
          {
            url,
            status: 400,
            code: 'url_not_allowed',
          },
        );
      }
      const listed = await strict.http.inject({
        method: 'GET',
        url: '/v1/webhooks',
        headers: bearer(customer.token),
      });
      expect(listed.json<{ items: Webhook[] }>().items).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  // Last: it moves the app's clock three days on.
  it('an endpoint failing for 3 days is disabled, its pending deliveries given up and its owner told; the log is pruned a month on', async () => {
    const customer: AuthResponse = await newCustomer(app);
    receiver.script(
      '/dead',
      Array.from({ length: 1000 }, () => 500),
    );
    const webhook = await createWebhook(app, customer.token, receiver.url('/dead'));
    const booking: Booking = await book(app, customer.token);
    await received('/dead', booking.id, 1);
    await waitFor(async () => ((await deliveriesOf(app, customer.token, webhook.id))[0]?.attempts ?? 0) >= 1);
    // A second event for the booking waits behind the first (and the booking can no longer expire).
    await cancel(app, customer.token, booking.id);
    await waitFor(async () => (await deliveriesOf(app, customer.token, webhook.id)).length === 2);

    clock.advance(72 * 3600_000 + 60_000);
    await waitFor(async () => {
      const listed = await app.http.inject({
        method: 'GET',
        url: '/v1/webhooks',
        headers: bearer(customer.token),
      });
      return listed.json<{ items: Webhook[] }>().items[0]?.status === 'disabled';
    }, 15_000);
    const deliveries = await deliveriesOf(app, customer.token, webhook.id);
    expect(deliveries.map((delivery) => [delivery.type, delivery.status, delivery.nextAttemptAt])).toEqual([
      ['booking.status_changed', 'failed', null],
      ['booking.status_changed', 'failed', null],
    ]);
    const [delivery] = deliveries;
    const notifications = await app.http.inject({
      method: 'GET',
      url: '/v1/notifications',
      headers: bearer(customer.token),
    });
    expect(
      notifications
        .json<{ items: Notification[] }>()
        .items.filter((item) => item.type === 'webhook_disabled')
        .map((item) => item.title),
    ).toEqual(['Webhook disabled']);
    // Disabled: a new event makes no delivery, and replay is refused.
    await book(app, customer.token);
    await drained(app);
    expect(await deliveriesOf(app, customer.token, webhook.id)).toHaveLength(2);
    expectError(
      await app.http.inject({
        method: 'POST',
        url: `/v1/webhooks/${webhook.id}/deliveries/${delivery?.id ?? '1'}/replay`,
        headers: bearer(customer.token),
      }),
      409,
      'conflict',
    );
    // Finished deliveries leave the log after WEBHOOK_LOG_RETENTION_DAYS (30).
    clock.advance(31 * 86_400_000);
    await waitFor(async () => (await deliveriesOf(app, customer.token, webhook.id)).length === 0, 15_000);
  });
});

describe(`webhooks across a worker restart (${tier})`, () => {
  let env: TestEnvironment;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    env = await TestEnvironment.create('webhookkill', { env: WEBHOOK_ENV });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver.close();
    await env.destroy();
  });

  it('a worker refusing private addresses checks again before sending: the attempt fails and nothing is sent', async () => {
    const creator = await env.start({ roles: ['api'] });
    const customer = await newCustomer(creator);
    const webhook = await createWebhook(creator, customer.token, receiver.url('/rechecked'));
    await creator.close();
    const strict = await env.start({ env: { WEBHOOK_ALLOW_PRIVATE: 'off' } });
    try {
      await book(strict, customer.token);
      await waitFor(
        async () => ((await deliveriesOf(strict, customer.token, webhook.id))[0]?.attempts ?? 0) >= 1,
      );
      const [delivery] = await deliveriesOf(strict, customer.token, webhook.id);
      expect(delivery).toMatchObject({
        status: 'pending',
        lastStatusCode: null,
        lastError: 'The webhook URL resolves to a private, loopback or link-local address.',
      });
      expect(receiver.at('/rechecked')).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it("a hanging endpoint's backlog does not starve another endpoint", async () => {
    // Room for 4 attempts, 1 per endpoint: one sweep reads 16 due deliveries at most. An attempt
    // hangs for 30 s, so the backlog's first one holds its endpoint's only slot throughout.
    const small = await env.start({
      env: { WEBHOOK_CONCURRENCY: '4', WEBHOOK_ENDPOINT_CONCURRENCY: '1', WEBHOOK_TIMEOUT_MS: '30000' },
    });
    try {
      const busy = await newCustomer(small);
      receiver.script('/backlog', ['hang']);
      await createWebhook(small, busy.token, receiver.url('/backlog'));
      for (let index = 0; index < 20; index += 1) {
        await book(small, busy.token);
      }
      await waitFor(() => receiver.at('/backlog').length >= 1, 15_000);
      // On the backlog's shard, behind it in the order of due deliveries.
      let other = await newCustomer(small);
      while (
        small.platform.router.forId(other.user.id).index !== small.platform.router.forId(busy.user.id).index
      ) {
        other = await newCustomer(small);
      }
      await createWebhook(small, other.token, receiver.url('/unhindered'));
      await book(small, other.token);
      await waitFor(() => receiver.at('/unhindered').length === 1, 15_000);
      // The backlog is still on its first attempt: the other endpoint did not wait for it.
      expect(receiver.at('/backlog').map((request) => request.answered)).toEqual([null]);
    } finally {
      await small.close();
    }
  });

  it('the queue age counts deliveries waiting while every attempt slot is taken', async () => {
    // One attempt at a time, held by a hanging endpoint (30 s timeout): the other endpoint's delivery waits.
    const clock = new ShiftedClock();
    const full = await env.start({
      clock,
      env: { WEBHOOK_CONCURRENCY: '1', WEBHOOK_ENDPOINT_CONCURRENCY: '1', WEBHOOK_TIMEOUT_MS: '30000' },
    });
    try {
      const holder = await newCustomer(full);
      receiver.script('/holds-the-slot', ['hang']);
      await createWebhook(full, holder.token, receiver.url('/holds-the-slot'));
      await book(full, holder.token);
      await waitFor(() => receiver.at('/holds-the-slot').length === 1, 15_000);
      const waiting = await newCustomer(full);
      const webhook = await createWebhook(full, waiting.token, receiver.url('/waits'));
      await book(full, waiting.token);
      await waitFor(async () => (await deliveriesOf(full, waiting.token, webhook.id)).length === 1);

      clock.advance(10 * 60_000);
      const queueAge = async () => {
        const text = (await full.http.inject({ url: '/metrics' })).body;
        return Number(/^loadline_webhook_queue_age_seconds (\S+)$/m.exec(text)?.[1]);
      };
      await waitFor(async () => (await queueAge()) >= 600, 15_000);
      expect(receiver.at('/waits')).toEqual([]);
    } finally {
      await full.close();
    }
  });

  it.runIf(isCluster)(
    'a worker process killed (SIGKILL) mid-delivery loses nothing: the next worker sends the event once the lease lapses',
    async () => {
      const api = await env.start({ roles: ['api'] });
      const customer = await newCustomer(api);
      receiver.script('/killed', ['hang']);
      const webhook = await createWebhook(api, customer.token, receiver.url('/killed'));
      let worker = await startServerProcess(env.env, 'worker');
      try {
        const booking = await book(api, customer.token);
        await waitFor(() => receiver.at('/killed').length === 1, 20_000);
        await worker.kill();
        expect(receiver.at('/killed').map((request) => request.answered)).toEqual([null]);

        worker = await startServerProcess(env.env, 'worker');
        await waitFor(() => receiver.at('/killed').length === 2, 20_000);
        const [cut, resent] = receiver.at('/killed');
        if (cut === undefined || resent === undefined) {
          throw new Error('two requests expected');
        }
        expect(resent.answered).toBe(200);
        expect(resent.headers['loadline-event-id']).toBe(cut.headers['loadline-event-id']);
        expect(deliveredEvent(resent).data.booking.id).toBe(booking.id);
        await waitFor(
          async () => (await deliveriesOf(api, customer.token, webhook.id))[0]?.status === 'succeeded',
          10_000,
        );
      } finally {
        await worker.stop();
        await api.close();
      }
    },
    60_000,
  );

  it('a worker stopped mid-delivery loses nothing: the event arrives after a restart', async () => {
    const first = await env.start();
    const customer = await newCustomer(first);
    receiver.script('/restart', ['hang']);
    const webhook = await createWebhook(first, customer.token, receiver.url('/restart'));
    const booking = await book(first, customer.token);
    await waitFor(() => receiver.at('/restart').length === 1, 15_000);
    // Cut off mid-attempt: the attempt's outcome is never written, as when the process is killed.
    await first.close();
    expect(receiver.at('/restart').map((request) => request.answered)).toEqual([null]);

    const second = await env.start();
    await waitFor(() => receiver.at('/restart').length === 2, 15_000);
    const [cut, resent] = receiver.at('/restart');
    if (cut === undefined || resent === undefined) {
      throw new Error('two requests expected');
    }
    expect(resent.answered).toBe(200);
    expect(resent.headers['loadline-event-id']).toBe(cut.headers['loadline-event-id']);
    expect(resent.body).toBe(cut.body);
    expect(deliveredEvent(resent).data.booking.id).toBe(booking.id);
    await waitFor(
      async () => (await deliveriesOf(second, customer.token, webhook.id))[0]?.status === 'succeeded',
    );
    expect(logicalShardOf(webhook.id)).toBe(logicalShardOf(customer.user.id));
  });
});
