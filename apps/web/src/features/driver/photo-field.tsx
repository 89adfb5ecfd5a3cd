import { useEffect, useId, useState } from 'react';
import { proofFileProblem } from './proof-upload';

/** The image types the camera or gallery may give (the server checks the bytes too). */
const ACCEPT = 'image/jpeg,image/png,image/webp';

/**
 * A photo taken with the phone's back camera (or chosen from its files on a
 * computer), shown as a preview before it is sent; a file the server would
 * refuse is refused here with the reason.
 */
export function PhotoField({
  label,
  hint,
  file,
  onChange,
  disabled,
  testId,
}: {
  label: string;
  hint?: string;
  file: File | null;
  onChange: (file: File | null) => void;
  disabled: boolean;
  testId: string;
}) {
  const inputId = useId();
  const labelId = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (file === null) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  return (
    <div className="field photo-field">
      <span id={labelId}>{label}</span>
      {preview !== null && (
        <div className="photo-field__preview">
          <img src={preview} alt="The photo to send" data-testid={`${testId}-preview`} />
          <button
            type="button"
            className="btn btn--ghost btn--small"
            onClick={() => onChange(null)}
            disabled={disabled}
          >
            Remove photo
          </button>
        </div>
      )}
      {/* The input stays focusable for the keyboard; its label is the button people see. */}
      <input
        id={inputId}
        className="photo-field__input"
        type="file"
        accept={ACCEPT}
        capture="environment"
        aria-describedby={labelId}
        disabled={disabled}
        onChange={(event) => {
          const chosen = event.target.files?.[0] ?? null;
          // The same file may be chosen again after a removal.
          event.target.value = '';
          if (chosen === null) {
            return;
          }
          const refused = proofFileProblem(chosen);
          setProblem(refused);
          onChange(refused === null ? chosen : null);
        }}
        data-testid={testId}
      />
      <label
        htmlFor={inputId}
        className={`btn btn--ghost photo-field__button${disabled ? ' is-disabled' : ''}`}
      >
        {file === null ? 'Take photo' : 'Retake photo'}
      </label>
      {problem !== null && (
        <span className="field__error" role="alert">
          {problem}
        </span>
      )}
      {hint !== undefined && <small className="field__hint">{hint}</small>}
    </div>
  );
}
