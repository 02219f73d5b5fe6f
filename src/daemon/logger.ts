// The daemon's pino logger: JSON lines, human-readable when stdout is a terminal, and secrets redacted
// wherever they might appear (authorization headers, tokens, API keys, secrets, tokens in URLs).
import { pino, type Logger, type LevelWithSilent } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'apiSecret',
  '*.apiSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'config.venue.token',
];

/** A URL with any `token=` query value replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[Redacted]');
}

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Pretty lines (pino-pretty); default: when stdout is a terminal. */
  readonly pretty?: boolean;
  /** Where JSON lines go; default stdout. For tests. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { service: 'fillstate' },
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: {
      req: (request: { method?: string; url?: string; ip?: string }) => ({ method: request.method, url: redactUrl(request.url ?? ''), remoteAddress: request.ip }),
      err: pino.stdSerializers.err,
    },
  };
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    // The event's fields stay in JSON logs; a person reads the one-line sentence instead.
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service,event' } } });
  }
  return options.destination === undefined ? pino(base, pino.destination({ fd: 1, sync: false })) : pino(base, options.destination);
}
