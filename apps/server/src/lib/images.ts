import type { UPLOAD_CONTENT_TYPES } from '@loadline/contracts';

/**
 * Proof photos: what an upload's bytes are (never what its name or header
 * claims), and the same picture without the metadata a phone writes into it
 * (EXIF with GPS, XMP, IPTC, comments, text chunks).
 */
export type ImageType = (typeof UPLOAD_CONTENT_TYPES)[number];

/** Thrown for bytes that are not a whole image of their type. */
export class ImageFormatError extends Error {}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The type the bytes are, by their signature; null for anything else. */
export function sniffImage(bytes: Buffer): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return 'image/png';
  }
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'image/webp';
  }
  return null;
}

/** The image with its metadata removed; throws ImageFormatError when its structure is broken. */
export function stripImageMetadata(bytes: Buffer, type: ImageType): Buffer {
  switch (type) {
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/png':
      return stripPng(bytes);
    case 'image/webp':
      return stripWebp(bytes);
  }
}

/** JPEG markers kept before the scan: frame, tables, restart interval, JFIF (APP0), ICC colour profile (APP2). */
function keepJpegSegment(marker: number, body: Buffer): boolean {
  if (marker === 0xe0) {
    return true;
  }
  if (marker === 0xe2) {
    return body.toString('latin1', 0, 12) === 'ICC_PROFILE\0';
  }
  // APP1 (EXIF, XMP), APP3-APP15 (IPTC and vendors' notes) and COM (comments) go.
  return !(marker >= 0xe1 && marker <= 0xef) && marker !== 0xfe;
}

function stripJpeg(bytes: Buffer): Buffer {
  const parts: Buffer[] = [bytes.subarray(0, 2)];
  let offset = 2;
  for (;;) {
    if (offset + 4 > bytes.length || bytes[offset] !== 0xff) {
      throw new ImageFormatError('the JPEG ends before its image data');
    }
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xda) {
      // Start of scan: the compressed image and everything after it is kept as it is.
      parts.push(bytes.subarray(offset));
      return Buffer.concat(parts);
    }
    if (marker === 0xd9) {
      throw new ImageFormatError('the JPEG has no image data');
    }
    const length = bytes.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) {
      throw new ImageFormatError('a JPEG segment runs past the end of the file');
    }
    if (keepJpegSegment(marker, bytes.subarray(offset + 4, end))) {
      parts.push(bytes.subarray(offset, end));
    }
    offset = end;
  }
}

/** PNG chunks of text and metadata; everything else (image data, palette, colour) is kept. */
const PNG_METADATA = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(bytes: Buffer): Buffer {
  const parts: Buffer[] = [bytes.subarray(0, 8)];
  let offset = 8;
  for (;;) {
    if (offset + 12 > bytes.length) {
      throw new ImageFormatError('the PNG ends before its IEND chunk');
    }
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw new ImageFormatError(`the PNG chunk ${type} runs past the end of the file`);
    }
    if (!PNG_METADATA.has(type)) {
      parts.push(bytes.subarray(offset, end));
    }
    offset = end;
    if (type === 'IEND') {
      return Buffer.concat(parts);
    }
  }
}

/** VP8X flag bits that announce EXIF and XMP chunks. */
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(bytes: Buffer): Buffer {
  const declared = bytes.readUInt32LE(4) + 8;
  if (declared > bytes.length || declared < 12) {
    throw new ImageFormatError('the WebP container is shorter than it says');
  }
  const parts: Buffer[] = [];
  let offset = 12;
  while (offset < declared) {
    if (offset + 8 > declared) {
      throw new ImageFormatError('a WebP chunk header runs past the end of the file');
    }
    const type = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const end = offset + 8 + size + (size % 2);
    if (end > declared) {
      throw new ImageFormatError(`the WebP chunk ${type} runs past the end of the file`);
    }
    if (type === 'VP8X') {
      const chunk = Buffer.from(bytes.subarray(offset, end));
      chunk[8] = (chunk[8] ?? 0) & ~(VP8X_EXIF | VP8X_XMP);
      parts.push(chunk);
    } else if (type !== 'EXIF' && type !== 'XMP ') {
      parts.push(bytes.subarray(offset, end));
    }
    offset = end;
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}
