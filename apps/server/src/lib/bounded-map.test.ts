import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('keeps entries until it is full, then a new key starts it afresh', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    expect([map.get('a'), map.get('b'), map.size]).toEqual([3, 2, 2]);
    map.set('c', 4);
    expect([map.get('a'), map.get('b'), map.get('c'), map.size]).toEqual([undefined, undefined, 4, 1]);
  });

  it('forgets a deleted key and refuses a limit below one', () => {
    const map = new BoundedMap<string, number>(1);
    map.set('a', 1);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});
