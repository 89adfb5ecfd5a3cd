import { MAX_STOPS } from '@loadline/contracts';
import { describe, expect, it } from 'vitest';
import { addStop, emptyStop, hasRecipient, moveStop, removeStop, stopLabel, updateStop } from './stop-list';

const keys = (stops: readonly { key: string }[]) => stops.map((stop) => stop.key);
const three = [emptyStop('a'), emptyStop('b'), emptyStop('c')];

describe('stop list', () => {
  it('adds empty stops up to the most a booking takes', () => {
    expect(keys(addStop(three, 'd'))).toEqual(['a', 'b', 'c', 'd']);
    const full = Array.from({ length: MAX_STOPS }, (_, index) => emptyStop(String(index)));
    expect(addStop(full, 'one-more')).toHaveLength(MAX_STOPS);
  });

  it('removes a stop but never the last one', () => {
    expect(keys(removeStop(three, 'b'))).toEqual(['a', 'c']);
    expect(keys(removeStop([emptyStop('a')], 'a'))).toEqual(['a']);
    expect(keys(removeStop(three, 'unknown'))).toEqual(['a', 'b', 'c']);
  });

  it('moves a stop up or down one place, and not past either end', () => {
    expect(keys(moveStop(three, 'b', -1))).toEqual(['b', 'a', 'c']);
    expect(keys(moveStop(three, 'b', 1))).toEqual(['a', 'c', 'b']);
    expect(keys(moveStop(three, 'a', -1))).toEqual(['a', 'b', 'c']);
    expect(keys(moveStop(three, 'c', 1))).toEqual(['a', 'b', 'c']);
    expect(keys(moveStop(three, 'unknown', 1))).toEqual(['a', 'b', 'c']);
  });

  it('edits one stop and leaves the others', () => {
    const edited = updateStop(three, 'b', { recipientName: 'Asha' });
    expect(edited[1]).toEqual({ ...emptyStop('b'), recipientName: 'Asha' });
    expect(edited[0]).toBe(three[0]);
    expect(hasRecipient(edited[1] ?? emptyStop('x'))).toBe(true);
    expect(hasRecipient({ ...emptyStop('x'), recipientPhone: '  ' })).toBe(false);
  });

  it('numbers stops only when there are several', () => {
    expect(stopLabel(0, 1)).toBe('Drop-off');
    expect(stopLabel(1, 3)).toBe('Drop-off 2');
  });
});
