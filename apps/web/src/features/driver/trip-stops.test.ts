import type { BookingStop } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import {
  currentStop,
  geoUrl,
  handoverProblem,
  isPin,
  osmDirectionsUrl,
  stopActions,
  telHref,
  usesStopFlow,
} from './trip-stops';

function stop(seq: number, status: BookingStop['status']): BookingStop {
  return {
    seq,
    location: { lat: 12.9 + seq / 100, lng: 77.6 },
    recipient: null,
    goods: null,
    status,
    arrivedAt: null,
    completedAt: null,
    proof: null,
  };
}

describe('the current stop', () => {
  it('is the first one neither delivered nor failed, whatever order the list comes in', () => {
    expect(currentStop([stop(3, 'pending'), stop(1, 'delivered'), stop(2, 'arrived')])?.seq).toBe(2);
    expect(currentStop([stop(2, 'pending'), stop(1, 'failed')])?.seq).toBe(2);
    expect(currentStop([stop(1, 'delivered'), stop(2, 'failed')])).toBeNull();
    expect(currentStop([])).toBeNull();
  });

  it('alone has actions, and only once the goods are on their way', () => {
    const [first, second, third] = [stop(1, 'delivered'), stop(2, 'pending'), stop(3, 'pending')];
    const current = currentStop([first, second, third]);
    expect(stopActions('in_transit', second, current)).toEqual(['arrive', 'fail']);
    expect(stopActions('in_transit', third, current)).toEqual([]);
    expect(stopActions('in_transit', first, current)).toEqual([]);
    expect(stopActions('goods_collected', second, current)).toEqual([]);
    const arrived = stop(2, 'arrived');
    expect(stopActions('in_transit', arrived, arrived)).toEqual(['complete', 'fail']);
  });

  it('a one-stop trip keeps the status buttons', () => {
    expect(usesStopFlow(undefined)).toBe(false);
    expect(usesStopFlow([stop(1, 'pending')])).toBe(false);
    expect(usesStopFlow([stop(1, 'pending'), stop(2, 'pending')])).toBe(true);
  });
});

describe('navigation links', () => {
  it('route on OpenStreetMap from the driver to the stop, or from wherever the site asks', () => {
    expect(osmDirectionsUrl({ lat: 12.97, lng: 77.59 }, { lat: 12.9352, lng: 77.6245 })).toBe(
      'https://www.openstreetmap.org/directions?route=12.97,77.59;12.9352,77.6245&engine=fossgis_osrm_car',
    );
    expect(osmDirectionsUrl(null, { lat: 12.9352, lng: 77.6245 })).toBe(
      'https://www.openstreetmap.org/directions?route=;12.9352,77.6245&engine=fossgis_osrm_car',
    );
  });

  it('round to six decimals, in geo: links too', () => {
    expect(geoUrl({ lat: 12.123456789, lng: -0.0000004 })).toBe('geo:12.123457,0');
    expect(geoUrl({ lat: -33.8688, lng: 151.2093 })).toBe('geo:-33.8688,151.2093');
  });

  it('call numbers with digits and a leading plus only', () => {
    expect(telHref('+91 98450 12345')).toBe('tel:+919845012345');
  });
});

/** An `invalid_pin` answer as the client holds it (set after construction: the code is newer than some lists). */
function invalidPin(details?: Record<string, unknown>): ApiError {
  const error = new ApiError(422, 'unknown_error', 'Wrong PIN', details);
  Object.defineProperty(error, 'code', { value: 'invalid_pin' });
  return error;
}

describe('handover problems', () => {
  it('a wrong PIN says how many tries are left when the server says', () => {
    expect(handoverProblem(invalidPin({ triesLeft: 3 }))).toEqual({
      kind: 'pin',
      message: 'Wrong PIN, 3 tries left',
    });
    expect(handoverProblem(invalidPin({ triesLeft: 1 })).message).toBe('Wrong PIN, 1 try left');
    expect(handoverProblem(invalidPin({ triesLeft: 0 }))).toEqual({
      kind: 'locked',
      message: 'Wrong PIN. Locked: ask support to unlock',
    });
    expect(handoverProblem(invalidPin())).toEqual({
      kind: 'pin',
      message: 'Wrong PIN. Ask the recipient for it again.',
    });
  });

  it('a lock is told by its code or by its 423', () => {
    expect(handoverProblem(new ApiError(423, 'unknown_error', 'Locked'))).toEqual({
      kind: 'locked',
      message: 'Locked: ask support to unlock',
    });
  });

  it('too far from the stop gives the distance, else the server message', () => {
    expect(
      handoverProblem(new ApiError(422, 'too_far_from_stop', 'far', { distanceM: 1234, maxDistanceM: 300 })),
    ).toEqual({ kind: 'far', message: 'You are 1,234 m from this stop' });
    expect(
      handoverProblem(new ApiError(422, 'too_far_from_stop', 'far', { distanceM: 450 }), 'the pickup'),
    ).toEqual({
      kind: 'far',
      message: 'You are 450 m from the pickup',
    });
    expect(
      handoverProblem(
        new ApiError(422, 'too_far_from_stop', 'Your position is not known.', { distanceM: null }),
      ),
    ).toEqual({ kind: 'far', message: 'Your position is not known.' });
  });

  it('anything else keeps its message', () => {
    expect(handoverProblem(new ApiError(422, 'invalid_transition', 'Not now'))).toEqual({
      kind: 'other',
      message: 'Not now',
    });
    expect(handoverProblem(new Error('offline')).message).toBe('offline');
  });

  it('a PIN is exactly four digits', () => {
    expect(isPin('0123')).toBe(true);
    expect(isPin('123')).toBe(false);
    expect(isPin('12345')).toBe(false);
    expect(isPin('12a4')).toBe(false);
  });
});
