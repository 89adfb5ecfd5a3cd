import { describe, expect, it } from 'vitest';
import { PingCoalescer } from './ping-coalescer';

/** Work that finishes only when the test says so, recording what it was given. */
function gatedWork() {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  const work = (driverId: string, update: string): Promise<string> => {
    started.push(`${driverId}:${update}`);
    return new Promise((resolve) => gates.push(() => resolve(`done ${update}`)));
  };
  const release = async (): Promise<void> => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { work, started, release };
}

describe('PingCoalescer', () => {
  it('a driver keeping up has every ping worked at once', async () => {
    const { work, started, release } = gatedWork();
    const coalescer = new PingCoalescer(work, 'coalesced', () => true);
    const first = coalescer.run('d1', 'a');
    await release();
    expect(await first).toBe('done a');
    const second = coalescer.run('d1', 'b');
    await release();
    expect(await second).toBe('done b');
    expect(started).toEqual(['d1:a', 'd1:b']);
    expect(coalescer.coalesced).toBe(0);
  });

  it('while one ping is at work, the newest waiting ping wins and those it replaced are answered at once', async () => {
    const { work, started, release } = gatedWork();
    const coalescer = new PingCoalescer(work, 'coalesced', () => true);
    const first = coalescer.run('d1', 'a');
    const second = coalescer.run('d1', 'b');
    const third = coalescer.run('d1', 'c');
    // Another driver is never held back by this one.
    const other = coalescer.run('d2', 'x');
    expect(await second).toBe('coalesced');
    expect(started).toEqual(['d1:a', 'd2:x']);
    await release();
    expect(await first).toBe('done a');
    await release();
    expect(await other).toBe('done x');
    expect(started).toEqual(['d1:a', 'd2:x', 'd1:c']);
    await release();
    expect(await third).toBe('done c');
    expect(coalescer.coalesced).toBe(1);
  });

  it('a failed ping fails its own caller only; the waiting one is still worked', async () => {
    let calls = 0;
    let fail: (error: Error) => void = () => undefined;
    const coalescer = new PingCoalescer<string, string>(
      (_driver, update) => {
        calls += 1;
        return calls === 1
          ? new Promise((_resolve, reject) => {
              fail = reject;
            })
          : Promise.resolve(`done ${update}`);
      },
      'coalesced',
      () => true,
    );
    const first = coalescer.run('d1', 'a');
    const second = coalescer.run('d1', 'b');
    fail(new Error('redis down'));
    await expect(first).rejects.toThrow('redis down');
    expect(await second).toBe('done b');
  });

  it('while the process keeps up, pings of one driver are all worked at once, none held back', async () => {
    const { work, started, release } = gatedWork();
    const coalescer = new PingCoalescer(work, 'coalesced', (atWork) => atWork >= 3);
    const first = coalescer.run('d1', 'a');
    const second = coalescer.run('d1', 'b');
    const third = coalescer.run('d1', 'c');
    expect(started).toEqual(['d1:a', 'd1:b', 'd1:c']);
    // Three at work: behind now, so the next two wait, the newest of them replacing the other.
    const fourth = coalescer.run('d1', 'd');
    const fifth = coalescer.run('d1', 'e');
    expect(await fourth).toBe('coalesced');
    for (let index = 0; index < 3; index += 1) {
      await release();
    }
    expect(await Promise.all([first, second, third])).toEqual(['done a', 'done b', 'done c']);
    expect(started).toEqual(['d1:a', 'd1:b', 'd1:c', 'd1:e']);
    await release();
    expect(await fifth).toBe('done e');
  });
});
