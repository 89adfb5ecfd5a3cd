import { useState } from 'react';
import type { Booking } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { Dialog } from '../../components/dialog';
import { ErrorBanner } from '../../components/ui';
import {
  CANCEL_REASONS,
  cancelBody,
  MAX_REASON_LENGTH,
  OTHER_REASON,
  type CancelChoice,
} from './cancel-reasons';

/** Asks why before cancelling a booking, then cancels it with that reason. */
export function CancelDialog({
  bookingId,
  open,
  onClose,
  onCancelled,
}: {
  bookingId: string;
  open: boolean;
  onClose: () => void;
  onCancelled: (booking: Booking) => void;
}) {
  const [choice, setChoice] = useState<CancelChoice | null>(null);
  const [other, setOther] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    if (!busy) {
      setError(null);
      onClose();
    }
  };

  const submit = async () => {
    const request = cancelBody(choice, other);
    if ('error' in request) {
      setError(request.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const cancelled = await api('bookings.cancel', { params: { id: bookingId }, body: request.body });
      onCancelled(cancelled);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const options: [CancelChoice, string][] = [
    ...CANCEL_REASONS.map((reason): [CancelChoice, string] => [reason, reason]),
    [OTHER_REASON, 'Something else'],
  ];
  return (
    <Dialog open={open} title="Cancel this booking?" onClose={close} testId="cancel-dialog">
      <form
        className="dialog__body"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <fieldset className="choices">
          <legend>Why are you cancelling?</legend>
          {options.map(([value, label]) => (
            <label key={value} className="choice">
              <input
                type="radio"
                name="cancel-reason"
                value={value}
                checked={choice === value}
                onChange={() => {
                  setChoice(value);
                  setError(null);
                }}
                data-testid={value === OTHER_REASON ? 'cancel-reason-other' : 'cancel-reason'}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {choice === OTHER_REASON && (
          <label className="field">
            <span>Tell us more</span>
            <textarea
              value={other}
              maxLength={MAX_REASON_LENGTH}
              rows={3}
              onChange={(event) => {
                setOther(event.target.value);
                setError(null);
              }}
              data-testid="cancel-reason-text"
              autoFocus
            />
          </label>
        )}
        {error !== null && <ErrorBanner message={error} />}
        <div className="dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={close} disabled={busy}>
            Keep booking
          </button>
          <button type="submit" className="btn btn--danger" disabled={busy} data-testid="confirm-cancel">
            {busy ? 'Cancelling…' : 'Cancel booking'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
