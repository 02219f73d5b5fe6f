// The WebSocket stream of domain events (/v1/stream?after=N): backfill from the event log after N, then live
// events, with no gap or duplicate at the seam. Each client has a bounded send buffer: a client too slow to
// keep up is told to re-sync and closed, so it never slows the engine or grows the daemon's memory.
import type { WebSocket } from 'ws';
import type { DomainEvent, DomainEventListener } from '../domain/events.ts';

/** What the stream reads: the engine's event log (journal) and its live feed. */
export interface EventLog {
  /** Events with sequence > afterSequence, in order, at most `limit`; must cover everything up to lastSequence(). */
  eventsSince(afterSequence: number, limit: number): readonly DomainEvent[];
  lastSequence(): number;
  subscribe(listener: DomainEventListener): () => void;
}

/** Frames the server sends; the client sends nothing (anything it sends is ignored). */
export type StreamFrame =
  | { readonly kind: 'event'; readonly event: DomainEvent }
  /** Backfill is done: every event through `lastSequence` was sent; live events follow. */
  | { readonly kind: 'live'; readonly lastSequence: number }
  /** The client fell behind (or asked for events the log does not hold): reconnect with after=`afterSequence`. */
  | { readonly kind: 'resync'; readonly afterSequence: number; readonly message: string };

/** Close codes (4000-4999 are the application's). */
export const STREAM_CLOSE_SLOW_CLIENT = 4008;
export const STREAM_CLOSE_BAD_REQUEST = 4400;
/** The log no longer holds the events asked for (a store-less daemon keeps only recent ones). */
export const STREAM_CLOSE_UNAVAILABLE = 4410;
export const STREAM_CLOSE_SHUTDOWN = 1001;

export interface StreamOptions {
  /** Events a client may have queued and unsent before it is dropped. */
  readonly maxBufferedEvents: number;
  /** Events read from the log per backfill page. */
  readonly pageSize?: number;
}

/**
 * Serves one client. Backfill runs page by page, each page only once the previous one left the process, so
 * a reconnect after a long outage costs bounded memory. While backfilling, live events are not sent: the
 * next page reads them from the log. Once a page comes back short the client is caught up and switches to
 * live; from then on each live event is checked against the last sequence sent, so a gap is filled from the
 * log and a duplicate dropped.
 */
export class EventStreamClient {
  private lastSent: number;
  private mode: 'backfill' | 'live' | 'closed' = 'backfill';
  private unsent = 0;
  private drainWaiters: Array<() => void> = [];
  private readonly unsubscribe: () => void;
  private readonly pageSize: number;

  constructor(
    private readonly socket: WebSocket,
    private readonly log: EventLog,
    afterSequence: number,
    private readonly options: StreamOptions,
    private readonly onClosed: (client: EventStreamClient) => void = () => {},
  ) {
    this.lastSent = afterSequence;
    // A page must fit in the client's buffer, or backfill alone would count as falling behind.
    this.pageSize = Math.max(1, Math.min(options.pageSize ?? 500, Math.floor(options.maxBufferedEvents / 2)));
    this.unsubscribe = log.subscribe((event) => this.onLiveEvent(event));
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
    const last = log.lastSequence();
    if (afterSequence > last) {
      this.resync(last, `after=${afterSequence} is beyond the last event (${last}): the log does not hold it; resume from ${last} or earlier`, STREAM_CLOSE_BAD_REQUEST);
      return;
    }
    this.sendPage();
  }

  get closed(): boolean {
    return this.mode === 'closed';
  }

  /** Ends the stream (daemon shutdown). */
  close(code = STREAM_CLOSE_SHUTDOWN, reason = 'the daemon is shutting down'): void {
    if (this.mode === 'closed') return;
    this.dispose();
    this.socket.close(code, reason);
  }

  /** Reads the log; a range it no longer holds ends the stream with a re-sync notice instead of a gap. */
  private read(afterSequence: number, limit: number): readonly DomainEvent[] | undefined {
    try {
      return this.log.eventsSince(afterSequence, limit);
    } catch (error) {
      this.resync(this.lastSent, `${(error as Error).message}`, STREAM_CLOSE_UNAVAILABLE);
      return undefined;
    }
  }

  private sendPage(): void {
    if (this.mode !== 'backfill') return;
    const page = this.read(this.lastSent, this.pageSize);
    if (page === undefined) return;
    for (const event of page) this.send(event);
    if (this.mode !== 'backfill') return;
    if (page.length < this.pageSize && this.lastSent >= this.log.lastSequence()) {
      this.mode = 'live';
      this.frame({ kind: 'live', lastSequence: this.lastSent });
      return;
    }
    // Next page once this one has been written out to the socket.
    this.whenDrained(() => this.sendPage());
  }

  private onLiveEvent(event: DomainEvent): void {
    if (this.mode !== 'live') return;
    if (event.sequence <= this.lastSent) return;
    if (event.sequence > this.lastSent + 1) {
      // Events we did not see live (delivered before we subscribed, or out of order): read them from the log.
      for (const missed of this.read(this.lastSent, event.sequence - this.lastSent - 1) ?? []) this.send(missed);
      if (this.mode !== 'live') return;
      if (this.lastSent !== event.sequence - 1) {
        this.resync(this.lastSent, `events ${this.lastSent + 1} to ${event.sequence - 1} are missing from the log; reconnect to re-sync`, STREAM_CLOSE_BAD_REQUEST);
        return;
      }
    }
    this.send(event);
  }

  private send(event: DomainEvent): void {
    if (this.mode === 'closed') return;
    if (this.unsent >= this.options.maxBufferedEvents) {
      this.resync(this.lastSent, `the client is ${this.unsent} events behind (limit ${this.options.maxBufferedEvents}): reconnect with after=${this.lastSent}`, STREAM_CLOSE_SLOW_CLIENT);
      return;
    }
    this.frame({ kind: 'event', event });
    this.lastSent = event.sequence;
  }

  private frame(frame: StreamFrame): void {
    this.unsent++;
    this.socket.send(JSON.stringify(frame), () => {
      this.unsent--;
      if (this.unsent === 0 && this.drainWaiters.length > 0) {
        const waiters = this.drainWaiters.splice(0);
        for (const waiter of waiters) waiter();
      }
    });
  }

  private whenDrained(then: () => void): void {
    if (this.unsent === 0) setImmediate(then);
    else this.drainWaiters.push(then);
  }

  private resync(afterSequence: number, message: string, code: number): void {
    if (this.mode === 'closed') return;
    const frame: StreamFrame = { kind: 'resync', afterSequence, message };
    this.dispose();
    // Queued after the buffered frames, so a reading client gets them all, then this, then the close.
    this.socket.send(JSON.stringify(frame), () => this.socket.close(code, message.slice(0, 120)));
    // A client that reads nothing never lets that frame out: cut it off rather than hold its buffer.
    setTimeout(() => {
      if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
    }, 2_000).unref();
  }

  private dispose(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.unsubscribe();
    this.onClosed(this);
  }
}
