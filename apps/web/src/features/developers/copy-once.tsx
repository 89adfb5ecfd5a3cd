import { useState } from 'react';

/**
 * A secret the server shows once (an API key, a webhook's signing secret):
 * on screen until dismissed, with a button that copies it.
 */
export function CopyOnce({
  label,
  value,
  note,
  onDismiss,
  testId,
}: {
  label: string;
  value: string;
  note: string;
  onDismiss: () => void;
  testId: string;
}) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard (an insecure page, a refusal): the value stays on screen to copy by hand.
      setCopied(false);
    }
  };
  return (
    <div className="banner banner--ok copy-once" role="status" data-testid={testId}>
      <p className="copy-once__label">
        <strong>{label}</strong> {note}
      </p>
      <code className="mono copy-once__value" data-testid={`${testId}-value`}>
        {value}
      </code>
      <div className="copy-once__actions">
        <button type="button" className="btn btn--primary btn--small" onClick={() => void copy()}>
          {copied === true ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={onDismiss}>
          Done
        </button>
      </div>
      {copied === false && <small>Copying is not available here: select the text and copy it.</small>}
    </div>
  );
}
