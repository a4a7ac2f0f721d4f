import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger for the whole process. Redaction is a second line of defence: no code path
 * should log credentials, but if a request object slips in, its secrets stay out of the log.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'blog-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        'password',
        '*.password',
        'user.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'jwtSecret',
        'databaseUrl',
      ],
      censor: '[redacted]',
    },
  });
}
