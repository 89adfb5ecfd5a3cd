import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait';
import type { EventBus } from './event-bus.port';

/**
 * The behaviour every EventBus adapter shares. `open` returns a fresh bus whose
 * channels no other test shares; the suite closes it afterwards. Where a test
 * shows that something was not delivered, it waits for a later message that
 * travels the same path, so no test sleeps.
 */
export function describeEventBusContract(name: string, open: () => EventBus | Promise<EventBus>): void {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;

    beforeEach(async () => {
      bus = await open();
    });

    afterEach(async () => {
      await bus.close();
    });

    it('a subscriber receives a published message as an equal copy', async () => {
      const received: unknown[] = [];
      await bus.subscribe('orders', (message) => received.push(message));
      const message = { id: '42', status: 'assigned', stops: [{ lat: 1.5, lng: 2 }], note: null };
      await bus.publish('orders', message);
      await waitFor(() => received.length === 1);
      expect(received).toEqual([message]);
      expect(received[0]).not.toBe(message);
    });

    it('handlers never run inside publish', async () => {
      const received: unknown[] = [];
      await bus.subscribe('orders', (message) => received.push(message));
      const publishing = bus.publish('orders', 1);
      expect(received).toEqual([]);
      await publishing;
      await waitFor(() => received.length === 1);
    });

    it('every handler of a channel receives each message, each its own copy', async () => {
      const first: unknown[] = [];
      const second: unknown[] = [];
      await bus.subscribe('orders', (message) => first.push(message));
      await bus.subscribe('orders', (message) => second.push(message));
      await bus.publish('orders', { n: 1 });
      await waitFor(() => first.length === 1 && second.length === 1);
      expect(first).toEqual([{ n: 1 }]);
      expect(second).toEqual([{ n: 1 }]);
      expect(first[0]).not.toBe(second[0]);
    });

    it('a handler receives nothing published on other channels', async () => {
      const onA: unknown[] = [];
      const onB: unknown[] = [];
      await bus.subscribe('a', (message) => onA.push(message));
      await bus.subscribe('b', (message) => onB.push(message));
      await bus.publish('b', 'for b');
      await waitFor(() => onB.length === 1);
      expect(onA).toEqual([]);
      expect(onB).toEqual(['for b']);
    });

    it('messages arrive in publish order', async () => {
      const received: unknown[] = [];
      await bus.subscribe('orders', (message) => received.push(message));
      const sent = Array.from({ length: 20 }, (_, index) => index);
      for (const index of sent) {
        await bus.publish('orders', index);
      }
      await waitFor(() => received.length === sent.length);
      expect(received).toEqual(sent);
    });

    it('scalars and null arrive as themselves and undefined as null', async () => {
      const received: unknown[] = [];
      await bus.subscribe('values', (message) => received.push(message));
      for (const value of [42, 'text', true, null, undefined, ['a', 1]]) {
        await bus.publish('values', value);
      }
      await waitFor(() => received.length === 6);
      expect(received).toEqual([42, 'text', true, null, null, ['a', 1]]);
    });

    it('unsubscribe stops delivery to that handler only', async () => {
      const kept: unknown[] = [];
      const dropped: unknown[] = [];
      await bus.subscribe('orders', (message) => kept.push(message));
      const unsubscribe = await bus.subscribe('orders', (message) => dropped.push(message));
      await unsubscribe();
      await bus.publish('orders', 'after');
      await waitFor(() => kept.length === 1);
      expect(dropped).toEqual([]);
    });

    it('the same function subscribed twice receives twice until unsubscribed once', async () => {
      const received: unknown[] = [];
      const handler = (message: unknown): void => {
        received.push(message);
      };
      const unsubscribeFirst = await bus.subscribe('orders', handler);
      await bus.subscribe('orders', handler);
      await bus.publish('orders', 'twice');
      await waitFor(() => received.length === 2);
      await unsubscribeFirst();
      await unsubscribeFirst();
      await bus.publish('orders', 'once');
      await waitFor(() => received.length === 3);
      expect(received).toEqual(['twice', 'twice', 'once']);
    });

    it('a channel can be subscribed again after its last handler left', async () => {
      const before: unknown[] = [];
      const after: unknown[] = [];
      const unsubscribe = await bus.subscribe('orders', (message) => before.push(message));
      await unsubscribe();
      await bus.subscribe('orders', (message) => after.push(message));
      await bus.publish('orders', 'again');
      await waitFor(() => after.length === 1);
      expect(after).toEqual(['again']);
      expect(before).toEqual([]);
    });

    it('a throwing or rejecting handler does not stop other handlers or later messages', async () => {
      const received: unknown[] = [];
      await bus.subscribe('orders', () => {
        throw new Error('handler bug');
      });
      // An async handler where a void one is expected is exactly the mistake this guards against.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      await bus.subscribe('orders', () => Promise.reject(new Error('async handler bug')));
      await bus.subscribe('orders', (message) => received.push(message));
      await bus.publish('orders', 1);
      await bus.publish('orders', 2);
      await waitFor(() => received.length === 2);
      expect(received).toEqual([1, 2]);
    });

    it('publishing to a channel without subscribers resolves', async () => {
      await expect(bus.publish('nobody', { n: 1 })).resolves.toBeUndefined();
    });

    it('close can be called twice and later calls are refused', async () => {
      await bus.close();
      await bus.close();
      await expect(bus.publish('orders', 1)).rejects.toThrow(/closed/);
      await expect(bus.subscribe('orders', () => undefined)).rejects.toThrow(/closed/);
    });
  });
}
