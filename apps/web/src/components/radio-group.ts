import type { KeyboardEvent } from 'react';

/**
 * The option a key moves to in a radio group (WAI-ARIA radio group pattern):
 * arrows step and wrap, Home and End jump; null for any other key. `index` is
 * the checked option, -1 when none is.
 */
export function nextRadioIndex(index: number, count: number, key: string): number | null {
  if (count === 0) {
    return null;
  }
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return index < 0 ? 0 : (index + 1) % count;
    case 'ArrowLeft':
    case 'ArrowUp':
      return index < 0 ? count - 1 : (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** The tab index of one option: the group is one Tab stop, on the checked option (the first when none is). */
export function radioTabIndex<T>(options: readonly T[], value: T | null, option: T): 0 | -1 {
  const checked = value === null ? -1 : options.indexOf(value);
  return option === options[checked < 0 ? 0 : checked] ? 0 : -1;
}

/**
 * The keydown handler of a `role="radiogroup"` element whose options are
 * `role="radio"` buttons in `options` order: arrow keys check the next option
 * and move focus to it, so the group takes one Tab stop.
 */
export function radioGroupKeys<T>(
  options: readonly T[],
  value: T | null,
  onChange: (next: T) => void,
): (event: KeyboardEvent<HTMLElement>) => void {
  return (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const next = nextRadioIndex(value === null ? -1 : options.indexOf(value), options.length, event.key);
    const option = next === null ? undefined : options[next];
    if (next === null || option === undefined) {
      return;
    }
    event.preventDefault();
    onChange(option);
    event.currentTarget.querySelectorAll<HTMLElement>('[role="radio"]')[next]?.focus();
  };
}
