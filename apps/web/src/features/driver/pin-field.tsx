import { useId, type Ref } from 'react';

/**
 * The 4-digit handover PIN, typed as the recipient reads it out: a numeric
 * keypad on phones, the code offered by the phone when it arrives by SMS,
 * and what went wrong said right under it.
 */
export function PinField({
  value,
  onChange,
  hint,
  error,
  locked,
  inputRef,
  testId = 'pin-input',
}: {
  value: string;
  onChange: (pin: string) => void;
  hint: string;
  error: string | null;
  /** Too many wrong PINs: said louder, as no PIN works until support unlocks the handover. */
  locked: boolean;
  inputRef?: Ref<HTMLInputElement>;
  testId?: string;
}) {
  const hintId = useId();
  const errorId = useId();
  return (
    <label className={`field pin-field${error === null ? '' : ' field--invalid'}`}>
      <span>Handover PIN</span>
      <input
        ref={inputRef}
        className="pin-field__input"
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{4}"
        maxLength={4}
        value={value}
        aria-invalid={error !== null}
        aria-describedby={error === null ? hintId : `${errorId} ${hintId}`}
        // Only digits: a pasted "PIN: 1234" keeps its number.
        onChange={(event) => onChange(event.target.value.replace(/\D/g, '').slice(0, 4))}
        data-testid={testId}
      />
      {error !== null && (
        <span
          id={errorId}
          className={`pin-field__error${locked ? ' pin-field__error--locked' : ''}`}
          role="alert"
          data-testid="pin-error"
        >
          {error}
        </span>
      )}
      <small id={hintId} className="field__hint">
        {hint}
      </small>
    </label>
  );
}
