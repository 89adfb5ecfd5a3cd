import { describe, expect, it } from 'vitest';
import { nameLabels } from './names';

describe('names where they repeat', () => {
  it('a unique name stands alone; namesakes get the last digits of their IDs', () => {
    const labels = nameLabels([
      { id: '386581341617204821', name: 'Ravi Kumar' },
      { id: '386581341617209130', name: 'Ravi Kumar' },
      { id: '386581341617201111', name: 'Asha Rao' },
    ]);
    expect(labels).toEqual(
      new Map([
        ['386581341617204821', 'Ravi Kumar · …4821'],
        ['386581341617209130', 'Ravi Kumar · …9130'],
        ['386581341617201111', 'Asha Rao'],
      ]),
    );
  });

  it('takes as many digits as tell the namesakes apart, whatever the letter case', () => {
    const labels = nameLabels([
      { id: '111112345', name: 'Ravi' },
      { id: '222212345', name: 'ravi ' },
    ]);
    expect(labels.get('111112345')).toBe('Ravi · …112345');
    expect(labels.get('222212345')).toBe('ravi · …212345');
  });

  it('the same person listed twice is one person', () => {
    expect(
      nameLabels([
        { id: '5', name: 'Ravi' },
        { id: '5', name: 'Ravi' },
      ]).get('5'),
    ).toBe('Ravi');
  });
});
