import type { Quote } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import {
  bookingFormReducer,
  initialBookingForm,
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

const quoted: BookingFormAction[] = [
  { type: 'placeEntered', which: 'pickup', place: quote.pickup },
  { type: 'placeEntered', which: 'dropoff', place: quote.dropoff },
  { type: 'quoteRequested' },
  { type: 'quoteReceived', quote, idempotencyKey: 'key-1' },
];

describe('booking form state', () => {
  it('map clicks set the pickup, then the drop-off, without refitting the map', () => {
    const first = run({ type: 'mapPicked', position: { lat: 1, lng: 2 } });
    expect(first.pickup).toEqual({ lat: 1, lng: 2 });
    expect(first.target).toBe('dropoff');
    const second = bookingFormReducer(first, { type: 'mapPicked', position: { lat: 3, lng: 4 } });
    expect(second.dropoff).toEqual({ lat: 3, lng: 4 });
    expect(second.pickup).toEqual({ lat: 1, lng: 2 });
    expect(second.fitCount).toBe(0);
  });

  it('a place from the search refits the map; clearing it does not', () => {
    const state = run(
      { type: 'placeEntered', which: 'dropoff', place: { lat: 1, lng: 2, address: 'Koramangala' } },
      { type: 'placeEntered', which: 'pickup', place: null },
    );
    expect(state.dropoff).toEqual({ lat: 1, lng: 2, address: 'Koramangala' });
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
      { type: 'placeEntered', which: 'pickup', place: { lat: 5, lng: 6 } },
      { type: 'mapPicked', position: { lat: 5, lng: 6 } },
    ] satisfies BookingFormAction[]) {
      const state = run(...quoted, change);
      expect(state.quote, change.type).toBeNull();
      expect(state.idempotencyKey, change.type).toBeNull();
    }
    const kept = run(
      ...quoted,
      { type: 'weightChanged', value: '120' },
      { type: 'descriptionChanged', value: 'books' },
      { type: 'scheduleToggled', on: true },
    );
    expect(kept.quote).toBe(quote);
    expect(kept.idempotencyKey).toBe('key-1');
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
      dropoff: { lat: 13.0, lng: 77.7 },
      vehicleType: 'mini_truck',
      description: 'Two sofas',
      weightText: '120.5',
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
      description: '',
      weightText: '',
      schedule: false,
      vehicleType: 'bike',
    });
  });
});
