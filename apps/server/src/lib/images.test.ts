import { describe, expect, it } from 'vitest';
import { GPS_TEXT, jpegWithGps, PNG } from '../../test/support/images';
import { ImageFormatError, sniffImage, stripImageMetadata } from './images';

/** A 1x1 lossless WebP. */
const WEBP_VP8L = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  return chunk;
}

function webpChunk(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(type, 0, 'latin1');
  header.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, data, data.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat(chunks);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

describe('sniffImage', () => {
  it('names the type by the bytes, whatever the file was called', () => {
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(jpegWithGps())).toBe('image/jpeg');
    expect(sniffImage(WEBP_VP8L)).toBe('image/webp');
    expect(sniffImage(Buffer.from('just some text, named photo.jpg'))).toBeNull();
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
  });
});

describe('stripImageMetadata', () => {
  it('drops EXIF (with its GPS position) and comments from a JPEG and keeps JFIF, tables and the scan', () => {
    const original = jpegWithGps();
    const stripped = stripImageMetadata(original, 'image/jpeg');
    expect(stripped.includes(Buffer.from('GPSLatitude'))).toBe(false);
    expect(stripped.includes(Buffer.from('taken at home'))).toBe(false);
    expect(stripped.includes(Buffer.from('JFIF'))).toBe(true);
    expect(stripped.subarray(stripped.length - 14)).toEqual(original.subarray(original.length - 14));
    expect(sniffImage(stripped)).toBe('image/jpeg');
  });

  it('refuses a JPEG cut off before its image data', () => {
    const original = jpegWithGps();
    expect(() => stripImageMetadata(original.subarray(0, 40), 'image/jpeg')).toThrow(ImageFormatError);
  });

  it('drops text and EXIF chunks from a PNG and keeps the image chunks', () => {
    const withText = Buffer.concat([
      PNG.subarray(0, 33),
      pngChunk('tEXt', Buffer.from(`Comment\0${GPS_TEXT}`, 'latin1')),
      pngChunk('eXIf', Buffer.from(GPS_TEXT, 'latin1')),
      PNG.subarray(33),
    ]);
    const stripped = stripImageMetadata(withText, 'image/png');
    expect(stripped).toEqual(PNG);
  });

  it('refuses a PNG with no IEND', () => {
    expect(() => stripImageMetadata(PNG.subarray(0, PNG.length - 12), 'image/png')).toThrow(ImageFormatError);
  });

  it('drops the EXIF and XMP chunks of a WebP, clears their flags and fixes the container size', () => {
    const vp8x = Buffer.alloc(10);
    vp8x[0] = 0x08 | 0x04;
    const image = WEBP_VP8L.subarray(12);
    const withExif = riff([
      webpChunk('VP8X', vp8x),
      image,
      webpChunk('EXIF', Buffer.from(GPS_TEXT, 'latin1')),
      webpChunk('XMP ', Buffer.from('<x:xmpmeta/>', 'latin1')),
    ]);
    const stripped = stripImageMetadata(withExif, 'image/webp');
    expect(stripped.includes(Buffer.from('GPSLatitude'))).toBe(false);
    expect(stripped.includes(Buffer.from('xmpmeta'))).toBe(false);
    expect(stripped).toEqual(riff([webpChunk('VP8X', Buffer.alloc(10)), image]));
    expect(stripped.readUInt32LE(4)).toBe(stripped.length - 8);
  });

  it('keeps a WebP with no metadata as it is', () => {
    expect(stripImageMetadata(WEBP_VP8L, 'image/webp')).toEqual(WEBP_VP8L);
  });
});
