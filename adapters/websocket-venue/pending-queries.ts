// The WebSocket venue client's queries awaiting an answer: each with its timeout, held while the link is not
// live (a user query waits for the next live link; reconciliation's own queries fail when the link drops).
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';
import type { ClientMessage } from './protocol.ts';
import { WebSocketVenueError } from './websocket-venue-options.ts';

export type QueryBody = Extract<ClientMessage, { type: 'query' }> extends infer Q ? (Q extends unknown ? Omit<Q, 'id'> : never) : never;

interface PendingQuery {
  readonly body: QueryBody;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
  /** Reconciliation's own queries: sent while syncing and dropped (not retried) when the link drops. */
  readonly internal: boolean;
}

export interface PendingQueriesOptions {
  readonly venueId: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Puts a query on the link. */
  readonly send: (id: number, body: QueryBody) => void;
}

export class PendingQueries {
  private readonly sent = new Map<number, PendingQuery>();
  /** Queries held for the next live link, in call order. */
  private waiting: Array<{ id: number; query: PendingQuery }> = [];

  constructor(private readonly options: PendingQueriesOptions) {}

  /** Sends the query now when `sendNow`, otherwise holds it for the next live link; fails it after the timeout. */
  ask(id: number, body: QueryBody, internal: boolean, sendNow: boolean): Promise<unknown> {
    const { clock, timeoutMs, venueId } = this.options;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        this.sent.delete(id);
        this.waiting = this.waiting.filter((waiting) => waiting.id !== id);
        reject(new WebSocketVenueError(`venue ${venueId}: ${body.query} query got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const pending: PendingQuery = { body, resolve, reject, timer, internal };
      if (sendNow) {
        this.sent.set(id, pending);
        this.options.send(id, body);
      } else {
        this.waiting.push({ id, query: pending });
      }
    });
  }

  /** The answer to query `id`; false when no query of that id is waiting for one (a late answer). */
  answered(id: number, result: unknown): boolean {
    const pending = this.take(id);
    if (pending === undefined) return false;
    pending.resolve(result);
    return true;
  }

  /** The server refused query `id`; false when no query of that id was sent (the id may be a command's). */
  refused(id: number, text: string): boolean {
    const pending = this.take(id);
    if (pending === undefined) return false;
    pending.reject(new WebSocketVenueError(`venue ${this.options.venueId}: ${pending.body.query} query refused: ${text}`));
    return true;
  }

  /** The link dropped: reconciliation's queries fail, user queries wait for the next live link. */
  linkLost(): void {
    for (const [id, pending] of this.sent) {
      if (pending.internal) {
        this.options.clock.clearTimeout(pending.timer);
        pending.reject(new WebSocketVenueError(`venue ${this.options.venueId}: link lost during reconciliation`));
      } else {
        this.waiting.push({ id, query: pending });
      }
    }
    this.sent.clear();
  }

  /** The link is live: every held query is sent. */
  sendWaiting(): void {
    for (const { id, query } of this.waiting.splice(0)) {
      this.sent.set(id, query);
      this.options.send(id, query.body);
    }
  }

  /** The link is down: every held query fails with `error`. */
  failWaiting(error: Error): void {
    for (const { query } of this.waiting.splice(0)) {
      this.options.clock.clearTimeout(query.timer);
      query.reject(error);
    }
  }

  private take(id: number): PendingQuery | undefined {
    const pending = this.sent.get(id);
    if (pending === undefined) return undefined;
    this.sent.delete(id);
    this.options.clock.clearTimeout(pending.timer);
    return pending;
  }
}
