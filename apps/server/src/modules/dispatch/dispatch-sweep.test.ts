import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger';
import { SweepTimer } from './dispatch-sweep';

describe('SweepTimer', () => {
  it('stop() tells the pass in flight to end and resolves once it has; no pass starts after it', async () => {
    let passes = 0;
    let steps = 0;
    let ended = false;
    let running: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      running = resolve;
    });
    const timer = new SweepTimer(
      [
        {
          name: 'long pass',
          run: async (keepGoing) => {
            passes += 1;
            running();
            // A pass over many rows, one at a time, as the overdue-dispatch sweep makes.
            while (keepGoing()) {
              steps += 1;
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            ended = true;
            return steps;
          },
        },
      ],
      createLogger('silent'),
      1,
    );
    timer.start();
    await started;
    const stepsAtStop = steps;
    await timer.stop();
    // Resolved only once the pass in flight has ended.
    expect(ended).toBe(true);
    const stepsAfterStop = steps;
    expect(stepsAfterStop - stepsAtStop).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect({ passes, steps }).toEqual({ passes: 1, steps: stepsAfterStop });
  });
});
