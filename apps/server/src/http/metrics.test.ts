import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from './metrics';

describe('process metrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a scrape walks no handle, resource or descriptor list on the event loop', async () => {
    const metrics = createMetrics();
    const handles = vi.spyOn(
      process as unknown as { _getActiveHandles: () => unknown[] },
      '_getActiveHandles',
    );
    const resources = vi.spyOn(process, 'getActiveResourcesInfo');
    const readdirSync = vi.spyOn(fs, 'readdirSync');

    const text = await metrics.registry.metrics();

    expect(handles).not.toHaveBeenCalled();
    expect(resources).not.toHaveBeenCalled();
    expect(readdirSync).not.toHaveBeenCalled();
    expect(text).toContain('loadline_process_resident_memory_bytes');
    expect(text).toContain('loadline_nodejs_eventloop_lag_p99_seconds');
    expect(text).not.toContain('loadline_nodejs_active_handles');
  });

  it('reports how long the timers waited, a wait still going on included, then nothing once they run', async () => {
    const metrics = createMetrics();
    await timerWaitSeconds(metrics.registry.metrics());
    // Busy for 300 ms with no turn of the loop: no timer runs, as when the loop answers I/O round after round.
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // waiting
    }
    expect(await timerWaitSeconds(metrics.registry.metrics())).toBeGreaterThanOrEqual(0.2);
    // The wait ended after that scrape began, so the next one counts it too; the one after that does not.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await timerWaitSeconds(metrics.registry.metrics())).toBeGreaterThanOrEqual(0.2);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await timerWaitSeconds(metrics.registry.metrics())).toBeLessThan(0.25);
  });

  it.runIf(process.platform === 'linux')('still counts the open file descriptors', async () => {
    const metrics = createMetrics();
    const opened = Array.from({ length: 20 }, () => fs.openSync('/dev/null', 'r'));
    try {
      const value = await openDescriptors(metrics.registry.metrics());
      expect(value).toBeGreaterThanOrEqual(opened.length);
      for (const fd of opened.splice(0, 10)) {
        fs.closeSync(fd);
      }
      // Another part of the process may open or close one meanwhile.
      const after = await openDescriptors(metrics.registry.metrics());
      expect(after).toBeGreaterThanOrEqual(value - 12);
      expect(after).toBeLessThanOrEqual(value - 8);
    } finally {
      for (const fd of opened) {
        fs.closeSync(fd);
      }
    }
  });
});

async function openDescriptors(scrape: Promise<string>): Promise<number> {
  const line = (await scrape).split('\n').find((entry) => entry.startsWith('loadline_process_open_fds '));
  expect(line).toBeDefined();
  return Number(line?.split(' ')[1]);
}

async function timerWaitSeconds(scrape: Promise<string>): Promise<number> {
  const line = (await scrape)
    .split('\n')
    .find((entry) => entry.startsWith('loadline_event_loop_timer_wait_max_seconds '));
  return Number(line?.split(' ')[1]);
}
