import { describe, expect, it } from 'vitest';
import { readinessFrom, readinessText } from './readiness';

describe('platform readiness from /readyz', () => {
  it('a 200 saying ready is ready', () => {
    const readiness = readinessFrom(200, { status: 'ready' });
    expect(readiness).toEqual({ state: 'ready' });
    expect(readinessText(readiness)).toBe('ready');
  });

  it('a 503 is unavailable and names the dependencies that do not answer', () => {
    const readiness = readinessFrom(503, {
      error: {
        code: 'unavailable',
        message: 'Unavailable: redis.',
        details: { dependencies: ['redis', 'shard 1'] },
      },
    });
    expect(readiness).toEqual({ state: 'unavailable', dependencies: ['redis', 'shard 1'] });
    expect(readinessText(readiness)).toBe('unavailable (redis, shard 1)');
  });

  it('a 200 from something else than the server (a proxy page, another body) is not ready', () => {
    expect(readinessFrom(200, '<html>maintenance</html>')).toEqual({
      state: 'unavailable',
      dependencies: [],
    });
    expect(readinessFrom(200, { status: 'ok' })).toEqual({ state: 'unavailable', dependencies: [] });
  });

  it('a 502 from a proxy, or a 503 without details, is unavailable without names', () => {
    const readiness = readinessFrom(502, null);
    expect(readiness).toEqual({ state: 'unavailable', dependencies: [] });
    expect(readinessText(readiness)).toBe('unavailable');
    expect(readinessFrom(503, { error: { details: { dependencies: [1, 'redis'] } } })).toEqual({
      state: 'unavailable',
      dependencies: ['redis'],
    });
  });

  it('no answer at all reads unreachable', () => {
    expect(readinessText({ state: 'unreachable' })).toBe('unreachable');
  });
});
