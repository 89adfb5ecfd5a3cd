import type { FailStopBody, StopFailureReason } from '@loadline/contracts';
import { isPin } from './trip-stops';

/** The longest recipient name and failure note the server keeps. */
export const MAX_RECIPIENT_NAME = 200;
export const MAX_FAILURE_NOTE = 1000;

export interface CompletionDraft {
  pinRequired: boolean;
  pin: string;
  recipientName: string;
  hasPhoto: boolean;
  hasSignature: boolean;
}

/**
 * Why the handover cannot be sent yet, or null when it can: the PIN when the
 * booking has them, who took the goods, and a photo or a signature as proof.
 */
export function completionProblem(draft: CompletionDraft): string | null {
  if (draft.pinRequired && !isPin(draft.pin)) {
    return 'Enter the 4-digit PIN the recipient gives you.';
  }
  if (draft.recipientName.trim() === '') {
    return 'Enter the name of the person who took the goods.';
  }
  if (!draft.hasPhoto && !draft.hasSignature) {
    return 'Add a photo of the handover or the recipient’s signature.';
  }
  return null;
}

/**
 * The body of a failed attempt, or why it cannot be sent: a reason always,
 * and a note when the reason is "something else" (the office must know what).
 */
export function failureBody(
  reason: StopFailureReason | null,
  note: string,
  photoId: string | null,
): { body: FailStopBody } | { error: string } {
  if (reason === null) {
    return { error: 'Choose why the goods could not be delivered.' };
  }
  const text = note.trim();
  if (reason === 'other' && text === '') {
    return { error: 'Say what happened.' };
  }
  return {
    body: {
      reason,
      ...(text === '' ? {} : { note: text }),
      ...(photoId === null ? {} : { photoId }),
    },
  };
}
