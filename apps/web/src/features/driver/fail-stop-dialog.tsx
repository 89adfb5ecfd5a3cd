import { useRef, useState } from 'react';
import {
  STOP_FAILURE_REASONS,
  type Booking,
  type BookingStop,
  type StopFailureReason,
} from '@loadline/contracts';
import { api } from '../../api/client';
import { Dialog } from '../../components/dialog';
import { ErrorBanner } from '../../components/ui';
import { PhotoField } from './photo-field';
import { uploadProof } from './proof-upload';
import { failureBody, MAX_FAILURE_NOTE } from './stop-forms';
import { FAILURE_REASON_LABELS, handoverProblem } from './trip-stops';

/** Records a failed attempt at a stop: why, a note, and a photo if it helps (the closed door, the damage). */
export function FailStopDialog({
  bookingId,
  stop,
  onClose,
  onDone,
}: {
  bookingId: string;
  stop: BookingStop;
  onClose: () => void;
  onDone: (booking: Booking) => void;
}) {
  const [reason, setReason] = useState<StopFailureReason | null>(null);
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const uploaded = useRef<{ file: File; id: string } | null>(null);

  const close = () => {
    if (busy === null) {
      onClose();
    }
  };

  const submit = async () => {
    const checked = failureBody(reason, note, null);
    if ('error' in checked) {
      setError(checked.error);
      return;
    }
    setError(null);
    try {
      let photoId: string | null = null;
      if (photo !== null) {
        if (uploaded.current?.file !== photo) {
          setBusy('Sending photo…');
          uploaded.current = { file: photo, id: (await uploadProof(photo)).id };
        }
        photoId = uploaded.current.id;
      }
      const request = failureBody(reason, note, photoId);
      if ('error' in request) {
        setBusy(null);
        setError(request.error);
        return;
      }
      setBusy('Saving…');
      const booking = await api('stops.fail', {
        params: { id: bookingId, seq: String(stop.seq) },
        body: request.body,
      });
      setBusy(null);
      onDone(booking);
    } catch (caught) {
      setBusy(null);
      setError(handoverProblem(caught).message);
    }
  };

  const working = busy !== null;
  return (
    <Dialog open title={`Could not deliver stop ${stop.seq}`} onClose={close} testId="fail-stop-dialog">
      <form
        className="dialog__body"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <fieldset className="choices">
          <legend>What happened?</legend>
          {STOP_FAILURE_REASONS.map((value) => (
            <label key={value} className="choice">
              <input
                type="radio"
                name="failure-reason"
                value={value}
                checked={reason === value}
                disabled={working}
                onChange={() => {
                  setReason(value);
                  setError(null);
                }}
                data-testid={`failure-reason-${value}`}
              />
              {FAILURE_REASON_LABELS[value]}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{reason === 'other' ? 'What happened' : 'Note (optional)'}</span>
          <textarea
            value={note}
            maxLength={MAX_FAILURE_NOTE}
            rows={3}
            disabled={working}
            onChange={(event) => {
              setNote(event.target.value);
              setError(null);
            }}
            data-testid="failure-note"
          />
        </label>
        <PhotoField
          label="Photo (optional)"
          file={photo}
          onChange={setPhoto}
          disabled={working}
          testId="failure-photo"
        />
        {error !== null && <ErrorBanner message={error} />}
        <div className="dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={close} disabled={working}>
            Back
          </button>
          <button type="submit" className="btn btn--danger" disabled={working} data-testid="confirm-fail">
            {busy ?? 'Record failed attempt'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
