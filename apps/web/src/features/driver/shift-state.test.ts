import type { Booking, DriverTrip, Offer } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import { initialShift, shiftReducer, type ShiftAction, type ShiftState } from './shift-state';

const pickup = { lat: 12.975, lng: 77.6 };
const dropoff = { lat: 12.9352, lng: 77.6245, address: 'Koramangala' };
const price = { amount: 25_000, currency: 'INR' };

function offer(bookingId: string, expiresAt = '2030-01-01T00:01:00.000Z'): Offer {
  return {
    bookingId,
    pickup,
    dropoff,
    vehicleType: 'van',
    price,
    distanceKm: 6.1,
    pickupDistanceKm: 0.4,
    expiresAt,
  };
}

function driverTrip(bookingId: string, status: DriverTrip['status']): DriverTrip {
  return {
    bookingId,
    status,
    vehicleType: 'van',
    pickup,
    dropoff,
    price,
    distanceKm: 6.1,
    assignedAt: '2030-01-01T00:00:00.000Z',
    completedAt: null,
  };
}

function booking(id: string, status: Booking['status']): Booking {
  return {
    id,
    status,
    customerId: '1',
    driverId: '2',
    vehicleType: 'van',
    pickup,
    dropoff,
    goods: { description: '12 cartons of books', weightKg: 120 },
    price,
    distanceKm: 6.1,
    durationMinutes: 21,
    surgeMultiplier: 1,
    scheduledAt: null,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    seq: 2,
    rating: null,
  };
}

function run(...actions: ShiftAction[]): ShiftState {
  return actions.reduce(shiftReducer, initialShift(false));
}

const onTrip: ShiftAction = { type: 'accepted', booking: booking('7', 'driver_assigned') };

describe('driver shift state', () => {
  it('a load keeps the open offers and finds the current trip among the recent ones', () => {
    const state = run({
      type: 'loaded',
      online: true,
      offers: [offer('5', '2030-01-01T00:00:30.000Z'), offer('6', '2030-01-01T00:02:00.000Z')],
      trips: [driverTrip('3', 'delivered'), driverTrip('4', 'en_route_to_pickup')],
      now: Date.parse('2030-01-01T00:01:00.000Z'),
    });
    expect(state.loading).toBe(false);
    expect(state.online).toBe(true);
    expect(state.offers.map((o) => o.bookingId)).toEqual(['6']);
    expect(state.trip).toEqual({
      bookingId: '4',
      status: 'en_route_to_pickup',
      pickup,
      dropoff,
      price,
      vehicleType: 'van',
      distanceKm: 6.1,
    });
    const withGoods = shiftReducer(state, {
      type: 'goodsLoaded',
      booking: booking('4', 'en_route_to_pickup'),
    });
    expect(withGoods.trip?.goods).toEqual({ description: '12 cartons of books', weightKg: 120 });
    expect(shiftReducer(state, { type: 'goodsLoaded', booking: booking('9', 'in_transit') })).toBe(state);
  });

  it('the booking brings the stops and whether handovers need PINs, kept across moves', () => {
    const stops: Booking['stops'] = [1, 2].map((seq) => ({
      seq,
      location: dropoff,
      recipient: { name: `Recipient ${seq}` },
      goods: null,
      status: 'pending',
      arrivedAt: null,
      completedAt: null,
      proof: null,
    }));
    const withStops = { ...booking('7', 'in_transit'), stops, handoverPins: true };
    const loaded = run(onTrip, { type: 'goodsLoaded', booking: withStops });
    expect(loaded.trip?.stops?.map((stop) => stop.seq)).toEqual([1, 2]);
    expect(loaded.trip?.handoverPins).toBe(true);
    const arrived = { ...withStops, stops: stops.map((stop) => ({ ...stop, status: 'arrived' as const })) };
    const moved = shiftReducer(loaded, { type: 'advanced', booking: arrived });
    expect(moved.trip?.stops?.[0]?.status).toBe('arrived');
    expect(moved.trip?.handoverPins).toBe(true);
  });

  it('a refused PIN ends the wait without a banner: the PIN field says it', () => {
    const state = run(onTrip, { type: 'tripActionStarted' }, { type: 'tripActionRefused' });
    expect(state.busy).toBe(false);
    expect(state.error).toBeNull();
  });

  it('a live offer replaces an older copy of itself; a revoked one goes', () => {
    const state = run(
      { type: 'offerReceived', offer: offer('5') },
      { type: 'offerReceived', offer: offer('6') },
      { type: 'offerReceived', offer: offer('5', '2030-01-01T00:05:00.000Z') },
    );
    expect(state.offers.map((o) => [o.bookingId, o.expiresAt])).toEqual([
      ['6', '2030-01-01T00:01:00.000Z'],
      ['5', '2030-01-01T00:05:00.000Z'],
    ]);
    expect(shiftReducer(state, { type: 'offerGone', bookingId: '6' }).offers.map((o) => o.bookingId)).toEqual(
      ['5'],
    );
  });

  it('accepting takes the trip and clears the other offers; a lost race drops that offer and says why', () => {
    const accepted = run({ type: 'offerReceived', offer: offer('7') }, { type: 'tripActionStarted' }, onTrip);
    expect(accepted.trip?.status).toBe('driver_assigned');
    expect(accepted.offers).toEqual([]);
    expect(accepted.busy).toBe(false);
    const lost = run(
      { type: 'offerReceived', offer: offer('7') },
      { type: 'offerReceived', offer: offer('8') },
      { type: 'tripActionStarted' },
      { type: 'acceptFailed', bookingId: '7', message: 'Another driver already took this booking.' },
    );
    expect(lost.offers.map((o) => o.bookingId)).toEqual(['8']);
    expect(lost.error).toBe('Another driver already took this booking.');
    expect(lost.busy).toBe(false);
  });

  it('a delivered trip ends with the fare in the notice and a history refresh', () => {
    const state = run(onTrip, { type: 'advanced', booking: booking('7', 'delivered') });
    expect(state.trip).toBeNull();
    expect(state.notice).toEqual({ kind: 'delivered', price });
    expect(state.finishedTrips).toBe(1);
  });

  it('a live status for the trip moves it on; a cancellation ends it with a notice', () => {
    const moved = run(onTrip, { type: 'tripStatusChanged', bookingId: '7', status: 'en_route_to_pickup' });
    expect(moved.trip?.status).toBe('en_route_to_pickup');
    expect(moved.notice).toBeNull();
    const cancelled = shiftReducer(moved, { type: 'tripStatusChanged', bookingId: '7', status: 'cancelled' });
    expect(cancelled.trip).toBeNull();
    expect(cancelled.notice).toEqual({ kind: 'ended', status: 'cancelled' });
    expect(cancelled.finishedTrips).toBe(1);
  });

  it("another booking's status changes nothing", () => {
    const state = run(onTrip);
    expect(shiftReducer(state, { type: 'tripStatusChanged', bookingId: '8', status: 'cancelled' })).toBe(
      state,
    );
  });

  it('a failed location update or rejection is shown without ending what is pending', () => {
    const state = run(
      { type: 'tripActionStarted' },
      { type: 'failed', message: 'Too many requests; slow down.' },
    );
    expect(state.error).toBe('Too many requests; slow down.');
    expect(state.busy).toBe(true);
  });

  it('going offline takes down the last trip\'s notice, so no "Delivered" banner stays behind', () => {
    const delivered = run(onTrip, { type: 'advanced', booking: booking('7', 'delivered') });
    expect(delivered.notice).toEqual({ kind: 'delivered', price });
    const offline = run(
      onTrip,
      { type: 'advanced', booking: booking('7', 'delivered') },
      { type: 'togglingOnline' },
      { type: 'onlineSet', online: false },
    );
    expect(offline.notice).toBeNull();
  });

  it("the trip's customer arrives with the trip list and is kept for that trip only", () => {
    const customer = { name: 'Meera Rao', phone: '+919845012345' };
    const state = run(onTrip, {
      type: 'tripDetailsLoaded',
      trip: { ...driverTrip('7', 'driver_assigned'), customer },
    });
    expect(state.trip?.customer).toEqual(customer);
    expect(state.trip?.goods).toEqual({ description: '12 cartons of books', weightKg: 120 });
    const moved = shiftReducer(state, { type: 'advanced', booking: booking('7', 'en_route_to_pickup') });
    expect(moved.trip?.customer).toEqual(customer);
    const other = shiftReducer(state, {
      type: 'tripDetailsLoaded',
      trip: { ...driverTrip('9', 'driver_assigned'), customer: { name: 'Someone', phone: null } },
    });
    expect(other).toBe(state);
    const reloaded = run({
      type: 'loaded',
      online: true,
      offers: [],
      trips: [{ ...driverTrip('4', 'in_transit'), customer }],
      now: 0,
    });
    expect(reloaded.trip?.customer).toEqual(customer);
  });

  it('going online or offline shows the answer; a failure says why', () => {
    const online = run({ type: 'togglingOnline' }, { type: 'onlineSet', online: true });
    expect(online.online).toBe(true);
    expect(online.togglingOnline).toBe(false);
    const failed = run({ type: 'togglingOnline' }, { type: 'onlineFailed', message: 'Driver suspended.' });
    expect(failed.online).toBe(false);
    expect(failed.togglingOnline).toBe(false);
    expect(failed.error).toBe('Driver suspended.');
  });
});
