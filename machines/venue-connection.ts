// The venue-connection statechart: connecting, syncing, live, reconnecting, down. Pure: the client that
// runs it provides the effects (open and close the socket, say hello, arm the retry timer at an absolute time).
// Never persisted: after a restart a connection is made anew, so no snapshot version is kept.
import { assign, setup } from 'xstate';

export type VenueConnectionStateName = 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'down';

export const VENUE_CONNECTION_STATES: readonly VenueConnectionStateName[] = ['connecting', 'syncing', 'live', 'reconnecting', 'down'];

export type VenueConnectionEvent =
  /** Explicit request to connect: the only way out of `down`; from `reconnecting` it skips the wait. */
  | { type: 'connect' }
  /** Explicit request to disconnect: always ends in `down`. */
  | { type: 'disconnect' }
  | { type: 'socket.opened' }
  /** The socket closed or could not open. `at` is the clock's time, `jitter` a uniform number in [0, 1). */
  | { type: 'socket.closed'; reason: string; at: number; jitter: number }
  /** The peer stopped answering heartbeats while the socket still looked open: a silently dead stream. */
  | { type: 'heartbeat.missed'; at: number; jitter: number }
  /** The server refused us for good (bad token, wrong venue, protocol mismatch): retrying cannot help. */
  | { type: 'link.refused'; reason: string }
  /** Missed reports replayed, in-flight commands reconciled, queued commands sent. */
  | { type: 'synced' }
  | { type: 'retry.due' };

export interface VenueConnectionInput {
  /** Consecutive failed attempts (since the link was last live) after which the connection is `down`. */
  readonly maxReconnectAttempts?: number;
  /** First retry delay; doubles per failed attempt up to `maxRetryDelayMs`. */
  readonly initialRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

export interface VenueConnectionContext {
  readonly maxReconnectAttempts: number;
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** Attempts that failed since the link was last live (or since the explicit connect). */
  readonly failedAttempts: number;
  /** Absolute clock time of the next attempt while `reconnecting`. */
  readonly retryAt: number | undefined;
  /** Why the link was last lost or refused. */
  readonly lastError: string | undefined;
}

export const DEFAULT_MAX_RECONNECT_ATTEMPTS = 20;
export const DEFAULT_INITIAL_RETRY_DELAY_MS = 250;
export const DEFAULT_MAX_RETRY_DELAY_MS = 30_000;

/**
 * Capped exponential backoff with "equal jitter": the cap doubles per failed attempt, and the delay is half
 * the cap plus a random share of the other half, so a crowd of clients does not retry in lockstep but none
 * retries at once in a loop.
 */
export function retryDelay(failedAttempts: number, jitter: number, initialDelayMs: number, maxDelayMs: number): number {
  const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(failedAttempts, 30));
  const share = Math.min(Math.max(jitter, 0), 1);
  return Math.round(cap / 2 + (share * cap) / 2);
}

type FailureEvent = Extract<VenueConnectionEvent, { type: 'socket.closed' | 'heartbeat.missed' }>;

function failureReason(event: VenueConnectionEvent): string {
  if (event.type === 'socket.closed' || event.type === 'link.refused') return event.reason;
  if (event.type === 'heartbeat.missed') return 'heartbeats missed: the stream went silent';
  return event.type;
}

export const venueConnectionMachine = setup({
  types: {
    context: {} as VenueConnectionContext,
    events: {} as VenueConnectionEvent,
    input: {} as VenueConnectionInput,
  },
  actions: {
    // Effects, provided by the client.
    openSocket: () => {},
    closeSocket: () => {},
    /** Say hello with the session and the last report sequence seen, then resync. */
    sendHello: () => {},
    scheduleRetry: (_, _params: { at: number }) => {},
    cancelRetry: () => {},
    // Bookkeeping.
    resetAttempts: assign({ failedAttempts: 0, retryAt: undefined }),
    clearError: assign({ lastError: undefined }),
    recordFailure: assign({ lastError: ({ event }) => failureReason(event) }),
    countAttempt: assign({ failedAttempts: ({ context }) => context.failedAttempts + 1 }),
    planRetry: assign({
      retryAt: ({ context, event }) => {
        const failure = event as FailureEvent;
        return failure.at + retryDelay(context.failedAttempts, failure.jitter, context.initialRetryDelayMs, context.maxRetryDelayMs);
      },
    }),
    clearRetry: assign({ retryAt: undefined }),
  },
  guards: {
    /** This failure uses up the last allowed attempt. */
    attemptsExhausted: ({ context }) => context.failedAttempts + 1 >= context.maxReconnectAttempts,
  },
}).createMachine({
  id: 'venueConnection',
  context: ({ input }) => ({
    maxReconnectAttempts: input.maxReconnectAttempts ?? DEFAULT_MAX_RECONNECT_ATTEMPTS,
    initialRetryDelayMs: input.initialRetryDelayMs ?? DEFAULT_INITIAL_RETRY_DELAY_MS,
    maxRetryDelayMs: input.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
    failedAttempts: 0,
    retryAt: undefined,
    lastError: undefined,
  }),
  initial: 'down',
  states: {
    down: {
      on: {
        connect: { target: 'connecting', actions: ['resetAttempts', 'clearError'] },
      },
    },
    connecting: {
      entry: 'openSocket',
      on: {
        'socket.opened': { target: 'syncing' },
        'socket.closed': [
          { guard: 'attemptsExhausted', target: 'down', actions: ['countAttempt', 'recordFailure'] },
          { target: 'reconnecting', actions: ['recordFailure', 'planRetry', 'countAttempt'] },
        ],
        'link.refused': { target: 'down', actions: ['closeSocket', 'recordFailure'] },
        disconnect: { target: 'down', actions: 'closeSocket' },
      },
    },
    syncing: {
      entry: 'sendHello',
      on: {
        synced: { target: 'live' },
        'socket.closed': [
          { guard: 'attemptsExhausted', target: 'down', actions: ['countAttempt', 'recordFailure'] },
          { target: 'reconnecting', actions: ['recordFailure', 'planRetry', 'countAttempt'] },
        ],
        'heartbeat.missed': [
          { guard: 'attemptsExhausted', target: 'down', actions: ['closeSocket', 'countAttempt', 'recordFailure'] },
          { target: 'reconnecting', actions: ['closeSocket', 'recordFailure', 'planRetry', 'countAttempt'] },
        ],
        'link.refused': { target: 'down', actions: ['closeSocket', 'recordFailure'] },
        disconnect: { target: 'down', actions: 'closeSocket' },
      },
    },
    live: {
      entry: 'resetAttempts',
      on: {
        // A link that was live is not a failed attempt: the first retry comes after the shortest delay.
        'socket.closed': { target: 'reconnecting', actions: ['recordFailure', 'planRetry'] },
        'heartbeat.missed': { target: 'reconnecting', actions: ['closeSocket', 'recordFailure', 'planRetry'] },
        'link.refused': { target: 'down', actions: ['closeSocket', 'recordFailure'] },
        disconnect: { target: 'down', actions: 'closeSocket' },
      },
    },
    reconnecting: {
      entry: { type: 'scheduleRetry', params: ({ context }) => ({ at: context.retryAt ?? 0 }) },
      exit: ['cancelRetry', 'clearRetry'],
      on: {
        'retry.due': { target: 'connecting' },
        connect: { target: 'connecting' },
        disconnect: { target: 'down' },
      },
    },
  },
});
