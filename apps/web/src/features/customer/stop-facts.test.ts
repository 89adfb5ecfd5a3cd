import type { Booking, BookingEvent, BookingStop } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import {
  handoverEventLabel,
  handoverEvents,
  nextHandover,
  pinRows,
  statusEvents,
  tripMarkers,
} from './stop-facts';

function stop(seq: number, status: BookingStop['status']): BookingStop {
  return {
    seq,
    location: { lat: 12.9, lng: 77.6 },
    recipient: null,
    goods: null,
    status,
    arrivedAt: null,
    completedAt: null,
    proof: null,
  };
}

const stops = [stop(1, 'delivered'), stop(2, 'arrived'), stop(3, 'pending')];

describe('nextHandover', () => {
  it('is the pickup until the goods are collected, then the first open stop', () => {
    expect(nextHandover({ status: 'searching', stops })).toBeNull();
    expect(nextHandover({ status: 'en_route_to_pickup', stops })).toBe(0);
    expect(nextHandover({ status: 'in_transit', stops })).toBe(2);
    expect(nextHandover({ status: 'in_transit', stops: [stop(1, 'failed'), stop(2, 'pending')] })).toBe(2);
    expect(nextHandover({ status: 'delivered', stops })).toBeNull();
  });
});

describe('pinRows', () => {
  it('marks done, next, waiting and locked handovers in order', () => {
    const rows = pinRows(
      {
        pickup: '1111',
        stops: [
          { seq: 3, pin: '3333' },
          { seq: 1, pin: '1234' },
        ],
        locked: [2],
      },
      { status: 'in_transit', stops },
    );
    expect(rows).toEqual([
      { handover: 0, label: 'Pickup', pin: '1111', state: 'done' },
      { handover: 1, label: 'Stop 1', pin: '1234', state: 'done' },
      { handover: 2, label: 'Stop 2', pin: null, state: 'locked' },
      { handover: 3, label: 'Stop 3', pin: '3333', state: 'waiting' },
    ]);
  });

  it("names a one-stop trip's handovers pickup and drop-off", () => {
    const rows = pinRows(
      { pickup: '1111', stops: [{ seq: 1, pin: '2222' }] },
      { status: 'arrived_at_pickup', stops: [stop(1, 'pending')] },
    );
    expect(rows.map((row) => [row.label, row.state])).toEqual([
      ['Pickup', 'next'],
      ['Drop-off', 'waiting'],
    ]);
  });

  it('has no rows before a driver is assigned', () => {
    expect(pinRows({ pickup: null, stops: [] }, { status: 'searching', stops })).toEqual([]);
  });
});

describe('handover events', () => {
  const event = (type: BookingEvent['type'], stopSeq?: number): BookingEvent => ({
    seq: 5,
    status: 'in_transit',
    ...(type === undefined ? {} : { type }),
    ...(stopSeq === undefined ? {} : { stopSeq }),
    at: '2030-01-01T10:00:00.000Z',
    actor: { role: 'driver', id: '9' },
  });

  it('splits status changes from stop and PIN events', () => {
    const all = [event(undefined), event('stop_completed', 1), event('pin_rejected', 0)];
    expect(statusEvents(all)).toEqual([all[0]]);
    expect(handoverEvents(all)).toEqual([all[1], all[2]]);
  });

  it('says where each happened', () => {
    expect(handoverEventLabel(event('pin_rejected', 0), 3)).toBe('Wrong PIN typed at the pickup');
    expect(handoverEventLabel(event('pin_locked', 2), 3)).toBe(
      'PIN locked at stop 2 after too many wrong tries',
    );
    expect(handoverEventLabel(event('stop_failed', 1), 1)).toBe('Could not deliver at the drop-off');
    expect(handoverEventLabel(event('pins_unlocked'), 3)).toBe('Locked PINs unlocked');
  });
});

describe('tripMarkers', () => {
  const trip = (
    status: Booking['status'],
    of: BookingStop[],
  ): Pick<Booking, 'status' | 'pickup' | 'dropoff' | 'stops'> => ({
    status,
    pickup: { lat: 12.8, lng: 77.5 },
    dropoff: { lat: 12.9, lng: 77.6 },
    stops: of,
  });

  it('shows a one-stop trip as pickup and drop-off', () => {
    expect(tripMarkers(trip('in_transit', [stop(1, 'pending')]), 'pin').map((marker) => marker.id)).toEqual([
      'pickup',
      'dropoff',
    ]);
  });

  it('numbers the stops of a longer trip and marks the one the driver heads for', () => {
    const markers = tripMarkers(trip('in_transit', stops), 'pin');
    expect(markers.map((marker) => [marker.id, marker.text, marker.highlighted, marker.testId])).toEqual([
      ['pickup', undefined, false, undefined],
      ['stop-1', '1', false, 'pin-1'],
      ['stop-2', '2', true, 'pin-2'],
      ['stop-3', '3', false, 'pin-3'],
    ]);
  });
});
