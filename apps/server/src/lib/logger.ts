import { pino, type Logger } from 'pino';

export type { Logger };

/** The root logger; modules take children carrying `module` (and `reqId`, `jobId`, `socketId`). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'loadline' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'token'],
      censor: '[redacted]',
    },
  });
}
