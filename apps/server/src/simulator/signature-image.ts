import { crc32, deflateSync } from 'node:zlib';
import type { Random } from '../lib/random';

const WIDTH = 120;
const HEIGHT = 40;

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A recipient's signature as a small greyscale PNG: a dark scribble drawn
 * across a white pad, a different one for every draw. Real image bytes, so
 * the server's upload checks treat it as any phone's signature pad would.
 */
export function signaturePng(random: Random): Buffer {
  const pixels = Buffer.alloc(WIDTH * HEIGHT, 0xff);
  // A wave whose phase, height and frequency vary: looks enough like a name signed in a hurry.
  const phase = random.in({ min: 0, max: Math.PI * 2 });
  const amplitude = random.in({ min: 6, max: 14 });
  const frequency = random.in({ min: 0.08, max: 0.25 });
  for (let x = 8; x < WIDTH - 8; x += 1) {
    const y = Math.round(HEIGHT / 2 + amplitude * Math.sin(phase + x * frequency));
    for (const dy of [-1, 0, 1]) {
      const row = Math.min(HEIGHT - 1, Math.max(0, y + dy));
      pixels[row * WIDTH + x] = 0x20;
    }
  }
  // Each row starts with its filter byte (0: none).
  const raw = Buffer.alloc((WIDTH + 1) * HEIGHT);
  for (let row = 0; row < HEIGHT; row += 1) {
    pixels.copy(raw, row * (WIDTH + 1) + 1, row * WIDTH, (row + 1) * WIDTH);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
