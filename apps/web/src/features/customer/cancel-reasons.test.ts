import { describe, expect, it } from 'vitest';
import { cancelBody, OTHER_REASON } from './cancel-reasons';

describe('cancellation reasons', () => {
  it('a listed reason is sent as it reads', () => {
    expect(cancelBody('Found another vehicle', 'ignored')).toEqual({
      body: { reason: 'Found another vehicle' },
    });
  });

  it('"other" sends the typed words, tidied', () => {
    expect(cancelBody(OTHER_REASON, '  The goods\nare not   ready \u0007 ')).toEqual({
      body: { reason: 'The goods are not ready' },
    });
  });

  it('asks for a choice, and for words with "other"', () => {
    expect(cancelBody(null, '')).toEqual({ error: 'Choose a reason.' });
    expect(cancelBody(OTHER_REASON, '  ')).toEqual({
      error: 'Tell us in a few words why you are cancelling.',
    });
    expect(cancelBody(OTHER_REASON, 'x'.repeat(501))).toEqual({ error: 'Keep it under 500 characters.' });
    expect(cancelBody(OTHER_REASON, 'x'.repeat(500))).toEqual({ body: { reason: 'x'.repeat(500) } });
  });
});
