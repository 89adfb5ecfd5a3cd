import type { Quote } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import {
  bookingFormReducer,
  initialBookingForm,
  PICKUP,
  scheduledPickup,
  type BookingFormAction,
  type BookingFormState,
} from './booking-form-state';

const quote: Quote = {
  id: '7',
  vehicleType: 'van',
  pickup: { lat: 12.975, lng: 77.6 },
  dropoff: { lat: 12.9352, lng: 77.6245 },
  distanceKm: 6.1,
  durationMinutes: 21,
  price: { amount: 25_000, currency: 'INR' },
  surgeMultiplier: 1,
  breakdown: {
    baseFare: 10_000,
    distanceFare: 12_000,
    timeFare: 3000,
    surgeAmount: 0,
    minimumFareTopUp: 0,
    currency: 'INR',
    region: 'bengaluru',
  },
  expiresAt: '2030-01-01T00:00:00.000Z',
};

function run(...actions: BookingFormAction[]): BookingFormState {
  return actions.reduce(bookingFormReducer, initialBookingForm);
}

const FIRST = 'stop-1';

const quoted: BookingFormAction[] = [
  { type: 'placeEntered', which: PICKUP, place: quote.pickup },
  { type: 'placeEntered', which: FIRST, place: quote.dropoff },
  { type: 'quoteRequested' },
  { type: 'quoteReceived', quote, idempotencyKey: 'key-1' },
];

describe('booking form state', () => {
  it('map clicks set the pickup, then the drop-off, without refitting the map', () => {
    const first = run({ type: 'mapPicked', position: { lat: 1, lng: 2 } });
    expect(first.pickup).toEqual({ lat: 1, lng: 2 });
    expect(first.target).toBe(FIRST);
    const second = bookingFormReducer(first, { type: 'mapPicked', position: { lat: 3, lng: 4 } });
    expect(second.stops[0]?.place).toEqual({ lat: 3, lng: 4 });
    expect(second.pickup).toEqual({ lat: 1, lng: 2 });
    expect(second.fitCount).toBe(0);
  });

  it('a place from the search refits the map; clearing it does not', () => {
    const state = run(
      { type: 'placeEntered', which: FIRST, place: { lat: 1, lng: 2, address: 'Koramangala' } },
      { type: 'placeEntered', which: PICKUP, place: null },
    );
    expect(state.stops[0]?.place).toEqual({ lat: 1, lng: 2, address: 'Koramangala' });
    expect(state.fitCount).toBe(1);
  });

  it('a received quote carries its own idempotency key', () => {
    const state = run(...quoted);
    expect(state.quote).toBe(quote);
    expect(state.idempotencyKey).toBe('key-1');
    expect(state.quoting).toBe(false);
  });

  it('another vehicle or place drops the quote and its key; goods and scheduling keep it', () => {
    for (const change of [
      { type: 'vehicleChosen', vehicleType: 'truck' },
      { type: 'placeEntered', which: PICKUP, place: { lat: 5, lng: 6 } },
      { type: 'stopAdded' },
      { type: 'mapPicked', position: { lat: 5, lng: 6 } },
    ] satisfies BookingFormAction[]) {
      const state = run(...quoted, change);
      expect(state.quote, change.type).toBeNull();
      expect(state.idempotencyKey, change.type).toBeNull();
    }
    const kept = run(
      ...quoted,
      { type: 'stopEdited', key: FIRST, edit: { weightText: '120' } },
      { type: 'stopEdited', key: FIRST, edit: { description: 'books' } },
      { type: 'scheduleToggled', on: true },
      { type: 'handoverPinsToggled', on: true },
    );
    expect(kept.quote).toBe(quote);
    expect(kept.idempotencyKey).toBe('key-1');
    expect(kept.handoverPins).toBe(true);
  });

  it("a recipient or a second stop's goods change what is priced: the quote goes", () => {
    const named = run(...quoted, { type: 'stopEdited', key: FIRST, edit: { recipientName: 'Asha' } });
    expect(named.quote).toBeNull();
    const twoStops = run({ type: 'stopAdded' }, ...quoted, {
      type: 'stopEdited',
      key: 'stop-2',
      edit: { weightText: '5' },
    });
    expect(twoStops.quote).toBeNull();
  });

  it('stops are added with fresh keys, targeted by the map, reordered and removed down to one', () => {
    const added = run({ type: 'stopAdded' }, { type: 'stopAdded' });
    expect(added.stops.map((stop) => stop.key)).toEqual(['stop-1', 'stop-2', 'stop-3']);
    expect(added.target).toBe('stop-3');
    const picked = run(
      { type: 'stopAdded' },
      { type: 'targetChosen', target: PICKUP },
      { type: 'mapPicked', position: { lat: 1, lng: 1 } },
      { type: 'mapPicked', position: { lat: 2, lng: 2 } },
      { type: 'mapPicked', position: { lat: 3, lng: 3 } },
    );
    expect(picked.stops.map((stop) => stop.place)).toEqual([
      { lat: 2, lng: 2 },
      { lat: 3, lng: 3 },
    ]);
    const moved = bookingFormReducer(picked, { type: 'stopMoved', key: 'stop-2', by: -1 });
    expect(moved.stops.map((stop) => stop.key)).toEqual(['stop-2', 'stop-1']);
    const removed = run(
      { type: 'stopAdded' },
      { type: 'stopRemoved', key: 'stop-2' },
      { type: 'stopRemoved', key: 'stop-1' },
    );
    expect(removed.stops.map((stop) => stop.key)).toEqual(['stop-1']);
    expect(removed.target).toBe('stop-1');
  });

  it('a failed booking keeps the quote and key, so a retry cannot book twice', () => {
    const state = run(
      ...quoted,
      { type: 'bookingRequested' },
      { type: 'bookingFailed', message: 'Offline.' },
    );
    expect(state.booking).toBe(false);
    expect(state.error).toBe('Offline.');
    expect(state.idempotencyKey).toBe('key-1');
    expect(bookingFormReducer(state, { type: 'bookingRequested' }).error).toBeNull();
  });

  it('a failed quote ends the pricing and says why', () => {
    const state = run(
      { type: 'quoteRequested' },
      { type: 'quoteFailed', message: 'Outside the service area.' },
    );
    expect(state.quoting).toBe(false);
    expect(state.error).toBe('Outside the service area.');
  });
});

describe('scheduledPickup', () => {
  const now = Date.parse('2030-01-01T10:00:00Z');

  it('booking for now has no pickup time', () => {
    expect(scheduledPickup({ schedule: false, scheduledAt: '' }, now)).toEqual({ scheduledAt: undefined });
  });

  it('a future time is sent as ISO', () => {
    expect(scheduledPickup({ schedule: true, scheduledAt: '2030-01-01T12:30:00Z' }, now)).toEqual({
      scheduledAt: '2030-01-01T12:30:00.000Z',
    });
  });

  it('a missing, unreadable or past time is refused', () => {
    for (const scheduledAt of ['', 'soon', '2030-01-01T09:59:00Z', '2030-01-01T10:00:00Z']) {
      expect(scheduledPickup({ schedule: true, scheduledAt }, now), scheduledAt).toEqual({
        error: 'Choose a pickup time in the future.',
      });
    }
  });

  it('an earlier booking fills in its trip, vehicle and goods, and never its price', () => {
    const state = run(...quoted, {
      type: 'prefilled',
      trip: {
        pickup: { lat: 12.9, lng: 77.5, address: 'MG Road' },
        dropoff: { lat: 13.0, lng: 77.7 },
        vehicleType: 'mini_truck',
        goods: { description: 'Two sofas', weightKg: 120.5 },
      },
      schedule: true,
    });
    expect(state).toMatchObject({
      pickup: { lat: 12.9, lng: 77.5, address: 'MG Road' },
      stops: [{ place: { lat: 13.0, lng: 77.7 }, description: 'Two sofas', weightText: '120.5' }],
      vehicleType: 'mini_truck',
      handoverPins: false,
      schedule: true,
      quote: null,
      idempotencyKey: null,
      fitCount: 3,
    });
    const withoutGoods = run({
      type: 'prefilled',
      trip: { pickup: quote.pickup, dropoff: quote.dropoff, vehicleType: 'bike', goods: null },
      schedule: false,
    });
    expect(withoutGoods).toMatchObject({
      stops: [{ description: '', weightText: '' }],
      schedule: false,
      vehicleType: 'bike',
    });
  });

  it('an earlier booking with stops fills in each one, with its recipient, and its PINs', () => {
    const state = run({
      type: 'prefilled',
      trip: {
        pickup: quote.pickup,
        dropoff: { lat: 2, lng: 2 },
        vehicleType: 'van',
        goods: { description: 'Boxes', weightKg: 30 },
        handoverPins: true,
        stops: [1, 2].map((seq) => ({
          seq,
          location: { lat: seq, lng: seq },
          recipient: seq === 1 ? { name: 'Asha', phone: '+91 98450 12345' } : null,
          goods: { description: `Box ${seq}`, weightKg: 15 },
          status: 'delivered',
          arrivedAt: null,
          completedAt: null,
          proof: null,
        })),
      },
      schedule: false,
    });
    expect(state.handoverPins).toBe(true);
    expect(state.stops).toEqual([
      {
        key: 'stop-2',
        place: { lat: 1, lng: 1 },
        recipientName: 'Asha',
        recipientPhone: '+91 98450 12345',
        description: 'Box 1',
        weightText: '15',
      },
      {
        key: 'stop-3',
        place: { lat: 2, lng: 2 },
        recipientName: '',
        recipientPhone: '',
        description: 'Box 2',
        weightText: '15',
      },
    ]);
    expect(state.nextStop).toBe(4);
  });
});
