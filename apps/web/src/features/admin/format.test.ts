import { describe, expect, it } from 'vitest';
import { elapsed } from './format';

describe('how long a job took', () => {
  it('says milliseconds, tenths of a second, then minutes and seconds; never "0 s"', () => {
    expect(elapsed(0)).toBe('1 ms');
    expect(elapsed(0.3404)).toBe('340 ms');
    expect(elapsed(0.9996)).toBe('1.0 s');
    expect(elapsed(1)).toBe('1.0 s');
    expect(elapsed(2.46)).toBe('2.4 s');
    expect(elapsed(9.99)).toBe('9.9 s');
    expect(elapsed(65)).toBe('1 min 05 s');
    expect(elapsed(null)).toBe('—');
    expect(elapsed(-1)).toBe('—');
  });
});
