import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Random } from '../lib/random';
import { signaturePng } from './signature-image';

describe('signature images', () => {
  it('are greyscale PNGs whose rows decompress to the size their header names', () => {
    const png = signaturePng(new Random(3));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(png[24]).toBe(8);
    expect(png[25]).toBe(0);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const rows = inflateSync(png.subarray(41, 41 + idatLength));
    expect(rows.length).toBe((width + 1) * height);
    // Some ink on the pad, most of it white.
    const ink = [...rows].filter((value) => value === 0x20).length;
    expect(ink).toBeGreaterThan(width);
    expect(ink).toBeLessThan((width * height) / 4);
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND');
  });

  it('differ from one draw to the next', () => {
    const random = new Random(3);
    expect(signaturePng(random).equals(signaturePng(random))).toBe(false);
  });
});
