import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_STATUSES, type BookingStatus } from '@loadline/contracts';
import type { LoadlineApp } from '../../app';
import { AppError } from '../../lib/errors';
import { CITY, newCustomer, offset, onlineDriver } from '../../../test/support/fleet';
import { TestEnvironment } from '../../../test/support/test-env';
import { tier } from '../../../test/support/tier';
import { canTransition } from './booking-state';

type Call =
  | { kind: 'driver'; to: BookingStatus }
  | { kind: 'customer-cancel' }
  | { kind: 'admin-cancel' }
  | { kind: 'system'; to: 'expired' | 'searching' };

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ kind: fc.constant('driver' as const), to: fc.constantFrom(...BOOKING_STATUSES) }),
  fc.constant({ kind: 'customer-cancel' as const }),
  fc.constant({ kind: 'admin-cancel' as const }),
  fc.record({
    kind: fc.constant('system' as const),
    to: fc.constantFrom('expired' as const, 'searching' as const),
  }),
);

describe(`booking state machine through the service (${tier})`, () => {
  let env: TestEnvironment;
  let app: LoadlineApp;

  beforeAll(async () => {
    env = await TestEnvironment.create('lifeprop', { env: { RATE_LIMITS: 'off' } });
    app = await env.start({ roles: ['api'] });
  });

  afterAll(async () => {
    await env.destroy();
  });

  it('no sequence of calls reaches an illegal state, and every change is one event with the next seq', async () => {
    const customer = await newCustomer(app);
    const driver = await onlineDriver(app, { at: offset(CITY, 900), online: false });
    const service = app.services.bookingCore.service;
    const caller = { userId: customer.user.id, role: 'customer' as const };
    const admin = { userId: '1', role: 'admin' as const };

    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(call, { minLength: 1, maxLength: 12 }),
        async (assign, calls) => {
          const { booking } = await service.create(customer.user.id, {
            pickup: offset(CITY, 900),
            dropoff: offset(CITY, 905),
            vehicleType: 'van',
          });
          let expected: BookingStatus = 'searching';
          let hasDriver = false;
          if (assign) {
            await service.transition(
              booking.id,
              'driver_assigned',
              { role: 'driver', id: driver.user.id },
              {
                requireNoDriver: true,
                set: () => ({ driver_id: driver.user.id }),
              },
            );
            expected = 'driver_assigned';
            hasDriver = true;
          }
          for (const step of calls) {
            let actor: 'driver' | 'customer' | 'admin' | 'system';
            let to: BookingStatus;
            let attempt: () => Promise<unknown>;
            switch (step.kind) {
              case 'driver':
                actor = 'driver';
                to = step.to;
                attempt = () => service.driverUpdate(driver.user.id, booking.id, step.to);
                break;
              case 'customer-cancel':
                actor = 'customer';
                to = 'cancelled';
                attempt = () => service.cancel(caller, booking.id, undefined);
                break;
              case 'admin-cancel':
                actor = 'admin';
                to = 'cancelled';
                attempt = () => service.cancel(admin, booking.id, undefined);
                break;
              case 'system':
                actor = 'system';
                to = step.to;
                attempt = () => service.transition(booking.id, step.to, { role: 'system', id: null });
                break;
            }
            // A driver can only touch a trip it holds; everyone else follows the table.
            const allowed =
              canTransition(expected, to, actor) &&
              (actor !== 'driver' || (hasDriver && to !== 'driver_assigned'));
            try {
              await attempt();
              expect(allowed).toBe(true);
              expected = to;
              if (to === 'searching') {
                hasDriver = false;
              }
            } catch (error) {
              expect(error).toBeInstanceOf(AppError);
              expect([404, 422]).toContain((error as AppError).status);
              expect(allowed).toBe(false);
            }
          }
          const stored = await service.get(admin, booking.id);
          expect(stored.status).toBe(expected);
          const events = await service.events(admin, booking.id);
          expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
          expect(stored.seq).toBe(events.length);
          for (let index = 1; index < events.length; index += 1) {
            const from = events[index - 1]?.status as BookingStatus;
            const step = events[index];
            expect(step !== undefined && canTransition(from, step.status, step.actor.role)).toBe(true);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
