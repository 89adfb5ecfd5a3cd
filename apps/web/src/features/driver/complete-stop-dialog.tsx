import { useRef, useState } from 'react';
import type { Booking, BookingStop } from '@loadline/contracts';
import { api } from '../../api/client';
import { Dialog } from '../../components/dialog';
import { ErrorBanner } from '../../components/ui';
import { PhotoField } from './photo-field';
import { PinField } from './pin-field';
import { uploadProof } from './proof-upload';
import { SignaturePad, signaturePng } from './signature-pad';
import { completionProblem, MAX_RECIPIENT_NAME } from './stop-forms';
import { handoverProblem, isPin } from './trip-stops';

/**
 * Hands a stop's goods over with proof: the recipient's PIN (bookings with
 * PINs), who took the goods, a photo and a signature. The photo and the
 * signature are uploaded first, once each: a retry after a wrong PIN sends
 * only the handover again.
 */
export function CompleteStopDialog({
  bookingId,
  stop,
  pinRequired,
  onClose,
  onDone,
}: {
  bookingId: string;
  stop: BookingStop;
  pinRequired: boolean;
  onClose: () => void;
  onDone: (booking: Booking) => void;
}) {
  const [pin, setPin] = useState('');
  const [pinError, setPinError] = useState<string | null>(null);
  const [locked, setLocked] = useState(false);
  const [recipientName, setRecipientName] = useState(stop.recipient?.name ?? '');
  const [photo, setPhoto] = useState<File | null>(null);
  const [signed, setSigned] = useState(false);
  // Counts changes to the signature, so an upload of an older drawing is not reused.
  const [signatureVersion, setSignatureVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const pinInput = useRef<HTMLInputElement | null>(null);
  const uploadedPhoto = useRef<{ file: File; id: string } | null>(null);
  const uploadedSignature = useRef<{ version: number; id: string } | null>(null);

  const close = () => {
    if (busy === null) {
      onClose();
    }
  };

  const photoId = async (): Promise<string | undefined> => {
    if (photo === null) {
      return undefined;
    }
    if (uploadedPhoto.current?.file !== photo) {
      setBusy('Sending photo…');
      uploadedPhoto.current = { file: photo, id: (await uploadProof(photo)).id };
    }
    return uploadedPhoto.current.id;
  };

  const signatureId = async (): Promise<string | undefined> => {
    if (!signed || canvas.current === null) {
      return undefined;
    }
    if (uploadedSignature.current?.version !== signatureVersion) {
      setBusy('Sending signature…');
      const png = await signaturePng(canvas.current);
      uploadedSignature.current = { version: signatureVersion, id: (await uploadProof(png)).id };
    }
    return uploadedSignature.current.id;
  };

  const submit = async () => {
    const problem = completionProblem({
      pinRequired,
      pin,
      recipientName,
      hasPhoto: photo !== null,
      hasSignature: signed,
    });
    if (problem !== null) {
      if (pinRequired && !isPin(pin)) {
        setPinError(problem);
        pinInput.current?.focus();
      } else {
        setError(problem);
      }
      return;
    }
    setError(null);
    setPinError(null);
    setLocked(false);
    try {
      const proof = { photoId: await photoId(), signatureId: await signatureId() };
      setBusy('Completing…');
      const booking = await api('stops.complete', {
        params: { id: bookingId, seq: String(stop.seq) },
        body: {
          ...(pinRequired ? { pin } : {}),
          recipientName: recipientName.trim(),
          ...(proof.photoId === undefined ? {} : { photoId: proof.photoId }),
          ...(proof.signatureId === undefined ? {} : { signatureId: proof.signatureId }),
        },
      });
      setBusy(null);
      onDone(booking);
    } catch (caught) {
      setBusy(null);
      const refused = handoverProblem(caught);
      if (refused.kind === 'pin' || refused.kind === 'locked') {
        setPin('');
        setPinError(refused.message);
        setLocked(refused.kind === 'locked');
        pinInput.current?.focus();
      } else {
        setError(refused.message);
      }
    }
  };

  const working = busy !== null;
  return (
    <Dialog open title={`Hand over stop ${stop.seq}`} onClose={close} testId="complete-stop-dialog">
      <form
        className="dialog__body"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {pinRequired && (
          <PinField
            value={pin}
            onChange={(next) => {
              setPin(next);
              // A lock stays said until an answer says otherwise: typing does not lift it.
              if (!locked) {
                setPinError(null);
              }
            }}
            hint="The recipient has it on their booking: ask them to read it out."
            error={pinError}
            locked={locked}
            inputRef={pinInput}
          />
        )}
        <label className="field">
          <span>Received by</span>
          <input
            type="text"
            autoComplete="off"
            maxLength={MAX_RECIPIENT_NAME}
            value={recipientName}
            disabled={working}
            onChange={(event) => {
              setRecipientName(event.target.value);
              setError(null);
            }}
            data-testid="recipient-name"
          />
        </label>
        <PhotoField
          label="Photo of the handover"
          hint="The goods at the door or in the recipient's hands."
          file={photo}
          onChange={(file) => {
            setPhoto(file);
            setError(null);
          }}
          disabled={working}
          testId="proof-photo"
        />
        <div className="field">
          <span>Recipient’s signature</span>
          <SignaturePad
            canvasRef={canvas}
            disabled={working}
            onChange={(blank) => {
              setSigned(!blank);
              setSignatureVersion((version) => version + 1);
              setError(null);
            }}
          />
        </div>
        {error !== null && <ErrorBanner message={error} />}
        <div className="dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={close} disabled={working}>
            Back
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={working}
            data-testid="confirm-complete"
          >
            {busy ?? 'Complete delivery'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
