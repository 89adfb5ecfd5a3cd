import { describe, expect, it } from 'vitest';
import { proofFileProblem } from './proof-upload';
import { completionProblem, failureBody } from './stop-forms';

const ready = { pinRequired: true, pin: '4821', recipientName: 'Asha', hasPhoto: true, hasSignature: false };

describe('a handover', () => {
  it('is ready with the PIN, a name and a photo or a signature', () => {
    expect(completionProblem(ready)).toBeNull();
    expect(completionProblem({ ...ready, hasPhoto: false, hasSignature: true })).toBeNull();
    expect(completionProblem({ ...ready, pinRequired: false, pin: '' })).toBeNull();
  });

  it('asks for what is missing, the PIN first', () => {
    expect(completionProblem({ ...ready, pin: '48' })).toMatch(/4-digit PIN/);
    expect(completionProblem({ ...ready, recipientName: '  ' })).toMatch(/name/);
    expect(completionProblem({ ...ready, hasPhoto: false })).toMatch(/photo .* or .* signature/);
  });
});

describe('a failed attempt', () => {
  it('needs a reason, and a note for "something else"', () => {
    expect(failureBody(null, '', null)).toEqual({ error: 'Choose why the goods could not be delivered.' });
    expect(failureBody('other', '  ', null)).toEqual({ error: 'Say what happened.' });
  });

  it('sends the note trimmed and the photo only when there is one', () => {
    expect(failureBody('recipient_absent', '', null)).toEqual({ body: { reason: 'recipient_absent' } });
    expect(failureBody('damaged', ' Box crushed ', '77')).toEqual({
      body: { reason: 'damaged', note: 'Box crushed', photoId: '77' },
    });
  });
});

describe('a proof file', () => {
  it('is a JPEG, PNG or WebP image of at most 5 MB', () => {
    expect(proofFileProblem({ type: 'image/jpeg', size: 1000 })).toBeNull();
    expect(proofFileProblem({ type: 'image/webp', size: 5 * 1024 * 1024 })).toBeNull();
    expect(proofFileProblem({ type: 'image/gif', size: 1000 })).toMatch(/JPEG, PNG or WebP/);
    expect(proofFileProblem({ type: 'image/png', size: 5 * 1024 * 1024 + 1 })).toMatch(/larger than 5 MB/);
    expect(proofFileProblem({ type: 'image/png', size: 0 })).toMatch(/empty/);
  });
});
