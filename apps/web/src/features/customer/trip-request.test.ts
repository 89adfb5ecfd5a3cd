import { describe, expect, it } from 'vitest';
import { emptyStop, type StopDraft } from './stop-list';
import { buildTripRequest, checkTripGoods, stopRecipient, usesStops } from './trip-request';

const pickup = { lat: 12.975, lng: 77.6 };

function stop(key: string, edit: Partial<StopDraft> = {}): StopDraft {
  return { ...emptyStop(key), place: { lat: 12.93, lng: 77.62 }, ...edit };
}

describe('checkTripGoods', () => {
  it('checks one stop as a v1 booking: the weight against the vehicle', () => {
    const check = checkTripGoods([stop('a', { description: 'Books', weightText: '900' })], 'van');
    expect(check.overCapacity).toBe(true);
    expect(check.stops[0]?.weightError).toBe(
      'A van carries up to 750 kg. For 900 kg choose a mini truck or larger.',
    );
    expect(check.totalError).toBeNull();
    expect(check.larger?.type).toBe('mini_truck');
  });

  it('adds up the weights of several stops and judges the vehicle on the total', () => {
    const stops = [
      stop('a', { description: 'Books', weightText: '500' }),
      stop('b', { description: 'Chairs', weightText: '400' }),
      stop('c'),
    ];
    const check = checkTripGoods(stops, 'van');
    expect(check.weightKg).toBe(900);
    expect(check.stops.map((s) => s.weightError)).toEqual([null, null, null]);
    expect(check.totalError).toBe(
      'A van carries up to 750 kg. For 900 kg (every stop together) choose a mini truck or larger.',
    );
    expect(check.overCapacity).toBe(true);
    expect(check.valid).toBe(false);
    expect(checkTripGoods(stops, 'mini_truck')).toMatchObject({ totalError: null, valid: true });
  });

  it("a stop's half-filled goods make the trip invalid without a total error", () => {
    const check = checkTripGoods([stop('a', { description: 'Books' }), stop('b')], 'van');
    expect(check.stops[0]?.weightError).toBe('Enter the approximate weight in kg.');
    expect(check).toMatchObject({ weightKg: null, totalError: null, overCapacity: false, valid: false });
  });
});

describe('buildTripRequest', () => {
  it('sends a v1 dropoff, with the goods on the booking, for one stop without a recipient', () => {
    const stops = [stop('a', { description: 'Books', weightText: '120' })];
    expect(buildTripRequest(pickup, stops, checkTripGoods(stops, 'van'))).toEqual({
      trip: { pickup, dropoff: { lat: 12.93, lng: 77.62 } },
      goods: { description: 'Books', weightKg: 120 },
    });
  });

  it('sends stops in order, each with its goods and recipient, and no booking goods', () => {
    const stops = [
      stop('a', {
        recipientName: ' Asha ',
        recipientPhone: '+91 98450 12345',
        description: 'Books',
        weightText: '20',
      }),
      stop('b', { place: { lat: 12.9, lng: 77.7 } }),
    ];
    expect(buildTripRequest(pickup, stops, checkTripGoods(stops, 'van'))).toEqual({
      trip: {
        pickup,
        stops: [
          {
            location: { lat: 12.93, lng: 77.62 },
            goods: { description: 'Books', weightKg: 20 },
            recipient: { name: 'Asha', phone: '+91 98450 12345' },
          },
          { location: { lat: 12.9, lng: 77.7 } },
        ],
      },
      goods: null,
    });
  });

  it('a recipient alone is reason enough to send stops', () => {
    const stops = [stop('a', { recipientName: 'Asha' })];
    expect(usesStops(stops)).toBe(true);
    expect(buildTripRequest(pickup, stops, checkTripGoods(stops, 'van'))).toEqual({
      trip: { pickup, stops: [{ location: { lat: 12.93, lng: 77.62 }, recipient: { name: 'Asha' } }] },
      goods: null,
    });
  });

  it('names the missing place', () => {
    const one = [emptyStop('a')];
    expect(buildTripRequest(null, one, checkTripGoods(one, 'van'))).toEqual({
      error: 'Set both pickup and drop-off: search a place, click the map or type "lat, lng".',
    });
    const two = [stop('a'), emptyStop('b')];
    expect(buildTripRequest(pickup, two, checkTripGoods(two, 'van'))).toEqual({
      error: 'Set Drop-off 2: search a place, click the map or type "lat, lng".',
    });
  });

  it('refuses a phone without a name, or one that is not a phone number', () => {
    expect(stopRecipient(stop('a', { recipientPhone: '+91 98450 12345' }), 'Drop-off 2')).toEqual({
      error: "Drop-off 2: add the recipient's name with their phone.",
    });
    expect(stopRecipient(stop('a', { recipientName: 'Asha', recipientPhone: '12' }), 'Drop-off')).toEqual({
      error: "Drop-off: the recipient's phone needs 6 to 15 digits, e.g. +91 98450 12345.",
    });
  });
});
