import { describe, expect, it } from 'vitest';
import { etaLabel, formatEta, formatMinutes } from './durations';

describe('readable durations', () => {
  it('writes minutes, then hours and minutes, then days and hours', () => {
    expect(formatMinutes(0.4)).toBe('under 1 min');
    expect(formatMinutes(1)).toBe('1 min');
    expect(formatMinutes(44.6)).toBe('45 min');
    expect(formatMinutes(59.4)).toBe('59 min');
    expect(formatMinutes(59.6)).toBe('1 h');
    expect(formatMinutes(797)).toBe('13 h 17 min');
    expect(formatMinutes(200)).toBe('3 h 20 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(1440)).toBe('1 d');
    expect(formatMinutes(1440 + 4 * 60 + 59)).toBe('1 d 4 h');
  });

  it('says nothing it does not know', () => {
    expect(formatMinutes(null)).toBe('—');
    expect(formatMinutes(undefined)).toBe('—');
    expect(formatMinutes(Number.NaN)).toBe('—');
    expect(formatMinutes(-3)).toBe('—');
  });

  it('names what the ETA counts down to', () => {
    expect(etaLabel('driver_assigned')).toBe('ETA to pickup');
    expect(etaLabel('en_route_to_pickup')).toBe('ETA to pickup');
    expect(etaLabel('arrived_at_pickup')).toBe('ETA to pickup');
    expect(etaLabel('goods_collected')).toBe('ETA to drop-off');
    expect(etaLabel('in_transit')).toBe('ETA to drop-off');
    expect(etaLabel('searching')).toBeNull();
    expect(etaLabel('delivered')).toBeNull();
  });

  it('an ETA is at least a minute while driving, and "Arrived" at the pickup', () => {
    expect(formatEta('en_route_to_pickup', 0.2)).toBe('1 min');
    expect(formatEta('in_transit', 95)).toBe('1 h 35 min');
    expect(formatEta('in_transit', null)).toBe('—');
    expect(formatEta('arrived_at_pickup', 0)).toBe('Arrived');
  });
});
