import { describe, expect, it } from 'vitest';
import { parseSimulateArgs } from './simulate.command';
import { DEFAULT_AREA } from './paths';

describe('loadline simulate flags', () => {
  it('fills defaults: the local server, 10 drivers, 5 customers, a rate the fleet can serve, no end', () => {
    expect(parseSimulateArgs([], 3000)).toEqual({
      url: 'http://127.0.0.1:3000',
      drivers: 10,
      customers: 5,
      bookingsPerMinute: 1,
      durationSeconds: null,
      area: DEFAULT_AREA,
      acceptProbability: 0.8,
      seed: 1,
      timeScale: 1,
    });
    expect(parseSimulateArgs([], 4100).url).toBe('http://127.0.0.1:4100');
  });

  it('reads every flag', () => {
    expect(
      parseSimulateArgs(
        [
          '--url',
          'http://10.0.0.5:8080',
          '--drivers',
          '40',
          '--customers',
          '12',
          '--booking-rate',
          '7.5',
          '--duration',
          '90',
          '--area',
          '19.076,72.8777,12',
          '--accept-probability',
          '0.6',
          '--seed',
          '99',
          '--time-scale',
          '4',
        ],
        3000,
      ),
    ).toEqual({
      url: 'http://10.0.0.5:8080',
      drivers: 40,
      customers: 12,
      bookingsPerMinute: 7.5,
      durationSeconds: 90,
      area: { center: { lat: 19.076, lng: 72.8777 }, radiusKm: 12 },
      acceptProbability: 0.6,
      seed: 99,
      timeScale: 4,
    });
  });

  it('scales the default booking rate with the fleet and the time scale', () => {
    expect(parseSimulateArgs(['--drivers', '50'], 3000).bookingsPerMinute).toBe(5);
    expect(parseSimulateArgs(['--drivers', '50', '--time-scale', '3'], 3000).bookingsPerMinute).toBe(15);
  });

  it('names the flag of a bad value', () => {
    expect(() => parseSimulateArgs(['--drivers', '2.5'], 3000)).toThrow('--drivers must be a whole number');
    expect(() => parseSimulateArgs(['--customers=-1'], 3000)).toThrow('--customers must be between 0');
    expect(() => parseSimulateArgs(['--accept-probability', '1.2'], 3000)).toThrow(
      '--accept-probability must be between 0 and 1',
    );
    expect(() => parseSimulateArgs(['--duration', '0'], 3000)).toThrow('--duration must be between 1');
    expect(() => parseSimulateArgs(['--booking-rate', 'lots'], 3000)).toThrow(
      '--booking-rate must be a number',
    );
    expect(() => parseSimulateArgs(['--url', 'localhost:3000'], 3000)).toThrow(
      '--url must be an http(s) origin',
    );
    expect(() => parseSimulateArgs(['--area', '1,2'], 3000)).toThrow('--area must look like');
    expect(() => parseSimulateArgs(['--drivers'], 3000)).toThrow();
    expect(() => parseSimulateArgs(['--fleet', '3'], 3000)).toThrow();
  });
});
