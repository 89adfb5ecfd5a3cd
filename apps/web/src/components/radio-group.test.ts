import { describe, expect, it } from 'vitest';
import { nextRadioIndex, radioTabIndex } from './radio-group';

describe('radio group keys', () => {
  it('arrow keys step forward and back and wrap at both ends', () => {
    expect(nextRadioIndex(0, 4, 'ArrowRight')).toBe(1);
    expect(nextRadioIndex(1, 4, 'ArrowDown')).toBe(2);
    expect(nextRadioIndex(3, 4, 'ArrowRight')).toBe(0);
    expect(nextRadioIndex(2, 4, 'ArrowLeft')).toBe(1);
    expect(nextRadioIndex(0, 4, 'ArrowUp')).toBe(3);
  });

  it('Home and End jump to the first and last option', () => {
    expect(nextRadioIndex(2, 4, 'Home')).toBe(0);
    expect(nextRadioIndex(1, 4, 'End')).toBe(3);
  });

  it('with nothing checked the arrows start at the first or the last option', () => {
    expect(nextRadioIndex(-1, 5, 'ArrowRight')).toBe(0);
    expect(nextRadioIndex(-1, 5, 'ArrowLeft')).toBe(4);
  });

  it('other keys and empty groups move nothing', () => {
    expect(nextRadioIndex(1, 4, 'Tab')).toBeNull();
    expect(nextRadioIndex(1, 4, ' ')).toBeNull();
    expect(nextRadioIndex(0, 0, 'ArrowRight')).toBeNull();
  });

  it('only the checked option is in the Tab order, or the first when none is', () => {
    const options = ['bike', 'van', 'truck'] as const;
    expect(options.map((option) => radioTabIndex(options, 'van', option))).toEqual([-1, 0, -1]);
    expect(options.map((option) => radioTabIndex(options, null, option))).toEqual([0, -1, -1]);
  });
});
