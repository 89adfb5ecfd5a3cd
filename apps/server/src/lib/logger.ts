import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The root logger; modules take children carrying `module` (and `reqId`, `jobId`, `socketId`).
 * `destination` (default stdout) lets a test read what would be written, redactions applied.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'loadline' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'password',
        '*.password',
        'token',
        'pin',
        '*.pin',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
