import { useState } from 'react';
import { radioGroupKeys, radioTabIndex } from './radio-group';

const STARS = [1, 2, 3, 4, 5] as const;
const WORDS: Record<number, string> = { 1: 'Poor', 2: 'Fair', 3: 'Good', 4: 'Very good', 5: 'Excellent' };

export function ratingWord(value: number): string {
  return WORDS[Math.round(value)] ?? '';
}

/** Read-only stars for a rating of 1-5 (fractions round to the nearest half star). */
export function Stars({ value, testId, small }: { value: number; testId?: string; small?: boolean }) {
  const halves = Math.round(value * 2) / 2;
  return (
    <span
      className={small === true ? 'stars stars--small' : 'stars'}
      role="img"
      aria-label={`Rated ${value.toFixed(Number.isInteger(value) ? 0 : 1)} out of 5`}
      data-testid={testId}
      data-rating={value}
    >
      {STARS.map((star) => (
        <span
          key={star}
          aria-hidden="true"
          className={halves >= star ? 'star is-on' : halves >= star - 0.5 ? 'star is-half' : 'star'}
        >
          ★
        </span>
      ))}
    </span>
  );
}

/** Five star buttons (a radio group, one Tab stop): hover previews, click or arrow keys choose. */
export function StarPicker({
  value,
  onChange,
  disabled,
  small,
  testId,
  label = 'Rating',
}: {
  value: number | null;
  onChange: (value: number) => void;
  disabled?: boolean;
  small?: boolean;
  testId?: string;
  label?: string;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const shown = hover ?? value ?? 0;
  return (
    <span
      className={small === true ? 'stars stars--picker stars--small' : 'stars stars--picker'}
      role="radiogroup"
      aria-label={label}
      data-testid={testId}
      onMouseLeave={() => setHover(null)}
      onKeyDown={disabled === true ? undefined : radioGroupKeys(STARS, value, onChange)}
    >
      {STARS.map((star) => (
        <button
          key={star}
          type="button"
          role="radio"
          aria-checked={value === star}
          tabIndex={radioTabIndex(STARS, value, star)}
          aria-label={`${star} star${star === 1 ? '' : 's'}: ${WORDS[star] ?? ''}`}
          title={WORDS[star]}
          className={shown >= star ? 'star is-on' : 'star'}
          disabled={disabled}
          onMouseEnter={() => setHover(star)}
          onFocus={() => setHover(star)}
          onBlur={() => setHover(null)}
          onClick={() => onChange(star)}
          data-testid={`star-${star}`}
        >
          ★
        </button>
      ))}
    </span>
  );
}
