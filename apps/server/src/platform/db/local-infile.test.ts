import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { LocalInfiles } from './local-infile';

describe('LOCAL INFILE streams', () => {
  it('serves a registered stream once, under its name only', async () => {
    const infiles = new LocalInfiles();
    const file = infiles.register(() => Readable.from([Buffer.from('a\tb\n')]));
    expect(await text(infiles.open(file.name))).toBe('a\tb\n');
    await expect(text(infiles.open(file.name))).rejects.toThrow('not offered');
  });

  it('answers a file path or a released name with an error, never a file', async () => {
    const infiles = new LocalInfiles();
    await expect(text(infiles.open('/etc/passwd'))).rejects.toThrow('not offered: /etc/passwd');
    const file = infiles.register(() => Readable.from([Buffer.from('x')]));
    file.release();
    await expect(text(infiles.open(file.name))).rejects.toThrow('not offered');
  });
});
