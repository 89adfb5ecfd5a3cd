/** The reasons a customer picks from when cancelling; "other" asks for their own words. */
export const CANCEL_REASONS = [
  'Plans changed',
  'Found another vehicle',
  'Waiting too long for a driver',
  'Booked by mistake',
  'The price is too high',
] as const;

export const OTHER_REASON = 'other';
export type CancelChoice = (typeof CANCEL_REASONS)[number] | typeof OTHER_REASON;

/** The API's limit on a reason's length. */
export const MAX_REASON_LENGTH = 500;

function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

/**
 * The body of the cancel request for a choice, or what to fix first: a choice
 * must be made, and "other" needs a few words (at most 500 characters).
 */
export function cancelBody(
  choice: CancelChoice | null,
  otherText: string,
): { body: { reason: string } } | { error: string } {
  if (choice === null) {
    return { error: 'Choose a reason.' };
  }
  if (choice !== OTHER_REASON) {
    return { body: { reason: choice } };
  }
  // Control characters never belong in a typed reason (the API refuses them); line breaks become spaces.
  const text = Array.from(otherText, (char) => (isControl(char) ? ' ' : char))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length < 3) {
    return { error: 'Tell us in a few words why you are cancelling.' };
  }
  if (text.length > MAX_REASON_LENGTH) {
    return { error: `Keep it under ${MAX_REASON_LENGTH} characters.` };
  }
  return { body: { reason: text } };
}
