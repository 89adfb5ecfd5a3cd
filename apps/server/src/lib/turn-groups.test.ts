import { describe, expect, it } from 'vitest';
import { TurnGroups } from './turn-groups';

describe('TurnGroups', () => {
  it('hands the calls of one turn over together, and those made while a group is handled as the next group', async () => {
    const groups: number[][] = [];
    let release = (): void => undefined;
    const turns = new TurnGroups<number>(async (group) => {
      groups.push(group);
      if (groups.length === 1) {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
    });
    turns.add(1);
    turns.add(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(groups).toEqual([[1, 2]]);
    turns.add(3);
    turns.add(4);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(groups).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('goes on with later calls after a group whose handling failed, which is not swallowed', async () => {
    const groups: string[][] = [];
    const turns = new TurnGroups<string>((group) => {
      groups.push(group);
      return group.includes('bad') ? Promise.reject(new Error('failed')) : Promise.resolve();
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      turns.add('bad');
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      turns.add('good');
      await new Promise((resolve) => setImmediate(resolve));
      expect(groups).toEqual([['bad'], ['good']]);
      expect(unhandled).toEqual([new Error('failed')]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
