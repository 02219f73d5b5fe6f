// The WebSocket venue client's options, its connection status and its error type, with the checks that
// refuse options the client cannot honour.
import type { Logger } from 'pino';
import type { Clock } from '../../src/domain/clock.ts';
import type { VenueConnectionContext, VenueConnectionStateName } from '../../machines/venue-connection.ts';

export interface WebSocketVenueOptions {
  /** The venue id this client expects; the server's welcome must name the same venue. */
  readonly id: string;
  /** ws://127.0.0.1:port of the venue server. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  readonly token: string;
  /** Timers (heartbeats, retries, request timeouts) and time stamps; default SystemClock. */
  readonly clock?: Clock;
  /** How often to ping the server; default 5000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** No pong for this long means the stream is dead, even if the socket looks open; default 3 intervals. */
  readonly heartbeatTimeoutMs?: number;
  /** A query without an answer for this long fails; default 10000 ms. Also the opening handshake's limit. */
  readonly requestTimeoutMs?: number;
  /** Consecutive failed attempts before the connection gives up and is `down`; default 20. */
  readonly maxReconnectAttempts?: number;
  /** Backoff: first delay, doubling per failed attempt up to the maximum, with jitter; defaults 250 and 30000 ms. */
  readonly initialRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /**
   * Where the first connection resumes the report stream: after this sequence (a daemon that stored the last
   * sequence it processed passes it here). Default: from the moment of connecting.
   */
  readonly resumeAfterSequence?: number;
  /**
   * The venue server instance `resumeAfterSequence` belongs to (see `venueInstance()`); a server of another
   * instance is refused rather than resumed. Default: whichever instance answers first.
   */
  readonly venueInstance?: string;
  /** Uniform numbers in [0, 1) for the backoff jitter; default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface VenueConnectionStatus {
  readonly state: VenueConnectionStateName;
  /** Attempts failed since the link was last live. */
  readonly failedAttempts: number;
  /** Next attempt's clock time while reconnecting. */
  readonly retryAt: number | undefined;
  readonly lastError: string | undefined;
}

export type VenueConnectionListener = (status: VenueConnectionStatus) => void;

export class WebSocketVenueError extends Error {
  override readonly name = 'WebSocketVenueError';
}

/** The timings and limits of a client, defaults applied; refuses any option it cannot honour. */
export interface WebSocketVenueSettings {
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxReconnectAttempts: number | undefined;
}

export function websocketVenueSettings(options: WebSocketVenueOptions): WebSocketVenueSettings {
  if (!options.id) throw new WebSocketVenueError('a WebSocket venue needs the id of the venue it expects');
  if (!/^wss?:\/\//.test(options.url)) throw new WebSocketVenueError(`venue url must start with ws:// or wss://, got ${JSON.stringify(options.url)}`);
  if (!options.token) throw new WebSocketVenueError('a WebSocket venue needs a token');
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 5_000);
  const heartbeatTimeoutMs = positive('heartbeatTimeoutMs', options.heartbeatTimeoutMs ?? heartbeatIntervalMs * 3);
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? 10_000);
  if (options.resumeAfterSequence !== undefined && !(Number.isSafeInteger(options.resumeAfterSequence) && options.resumeAfterSequence >= 0)) {
    throw new WebSocketVenueError(`resumeAfterSequence must be a whole number, got ${options.resumeAfterSequence}`);
  }
  const maxReconnectAttempts = options.maxReconnectAttempts;
  if (maxReconnectAttempts !== undefined && !(maxReconnectAttempts >= 1)) {
    throw new WebSocketVenueError(`maxReconnectAttempts must be at least 1, got ${maxReconnectAttempts}`);
  }
  return { heartbeatIntervalMs, heartbeatTimeoutMs, requestTimeoutMs, maxReconnectAttempts };
}

export function connectionStatus(state: VenueConnectionStateName, context: VenueConnectionContext): VenueConnectionStatus {
  return { state, failedAttempts: context.failedAttempts, retryAt: context.retryAt, lastError: context.lastError };
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new WebSocketVenueError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
