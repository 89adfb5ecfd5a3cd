import { describe, expect, it } from 'vitest';
import { lagReading } from './sampler';

describe('an event-loop delay reading from a scrape', () => {
  it('is the p99 the process reports, in ms', () => {
    expect(lagReading(0.0421, 5_000)).toEqual({ lagP99Ms: 42.1, stalled: false });
  });

  it('is the time since the previous scrape when no timer ran in between, flagged as a lower bound', () => {
    expect(lagReading(0, 5_012)).toEqual({ lagP99Ms: 5_012, stalled: true });
    expect(lagReading(0, 1_000)).toEqual({ lagP99Ms: 1_000, stalled: true });
  });

  it('is no reading without the metric, for the first scrape, or one too soon after the previous to say', () => {
    expect(lagReading(null, 5_000)).toEqual({ lagP99Ms: null, stalled: false });
    expect(lagReading(0, null)).toEqual({ lagP99Ms: null, stalled: false });
    expect(lagReading(0, 300)).toEqual({ lagP99Ms: null, stalled: false });
  });
});
