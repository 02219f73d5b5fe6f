// The venue-connection statechart as a venue client runs it: the actor with the client's effects (open and
// close its link, say hello) and the retry timer on the client's clock, connect() that settles when the link
// is live or down, disconnect(), and state-change listeners. Shared by the WebSocket venue and the ccxt venue.
import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import { venueConnectionMachine, type VenueConnectionContext, type VenueConnectionEvent, type VenueConnectionInput, type VenueConnectionStateName } from '../../machines/venue-connection.ts';
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';

export interface VenueLinkEffects {
  /** Dial the link; report `socket.opened`, `socket.closed` or `link.refused` to the link. */
  openSocket(): void;
  closeSocket(): void;
  /** The link is open: catch up (replay, reconcile) and report `synced`. */
  sendHello(): void;
}

export interface VenueLinkOptions {
  readonly venueId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly input: VenueConnectionInput;
  readonly effects: VenueLinkEffects;
  /** The error connect() is rejected with when the link ends down. */
  readonly downError: (message: string) => Error;
}

export type VenueLinkListener = (state: VenueConnectionStateName, context: VenueConnectionContext) => void;

export class VenueLink {
  readonly actor: Actor<typeof venueConnectionMachine>;
  private current: VenueConnectionStateName = 'down';
  private retryTimer: TimerHandle | undefined;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly listeners = new Set<VenueLinkListener>();
  /** Set while an explicit disconnect runs: going down then is the caller's wish, not an incident. */
  private disconnecting = false;

  constructor(private readonly options: VenueLinkOptions) {
    const { clock, effects } = options;
    const logic = venueConnectionMachine.provide({
      actions: {
        openSocket: () => effects.openSocket(),
        closeSocket: () => effects.closeSocket(),
        sendHello: () => effects.sendHello(),
        scheduleRetry: (_, { at }) => {
          this.retryTimer = clock.setTimeout(() => {
            this.retryTimer = undefined;
            this.actor.send({ type: 'retry.due' });
          }, at - clock.now());
        },
        cancelRetry: () => {
          if (this.retryTimer !== undefined) clock.clearTimeout(this.retryTimer);
          this.retryTimer = undefined;
        },
      },
    });
    this.actor = createActor(logic, { input: options.input });
    this.actor.subscribe((snapshot) => this.changed(snapshot.value as VenueConnectionStateName, snapshot.context));
    this.actor.start();
  }

  get state(): VenueConnectionStateName {
    return this.current;
  }

  get context(): VenueConnectionContext {
    return this.actor.getSnapshot().context;
  }

  /** Resolves when the link is live; rejects when it ends down. From reconnecting it tries at once. */
  connect(): Promise<void> {
    if (this.current === 'live') return Promise.resolve();
    const settled = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.current === 'down' || this.current === 'reconnecting') this.actor.send({ type: 'connect' });
    return settled;
  }

  disconnect(): void {
    this.disconnecting = true;
    this.actor.send({ type: 'disconnect' });
    this.disconnecting = false;
  }

  send(event: VenueConnectionEvent): void {
    this.actor.send(event);
  }

  /** Called on every change of state, after connect() waiters are settled. */
  onChange(listener: VenueLinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(state: VenueConnectionStateName, context: VenueConnectionContext): void {
    if (state === this.current) return;
    this.current = state;
    const { venueId, logger } = this.options;
    if (state === 'live') {
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
    } else if (state === 'down') {
      const error = this.options.downError(`venue ${venueId} is down${context.lastError ? `: ${context.lastError}` : ''}`);
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
      if (this.disconnecting) logger.info(`venue ${venueId} disconnected`);
      else logger.warn({ lastError: context.lastError }, `venue ${venueId} connection is down`);
    }
    for (const listener of this.listeners) {
      try {
        listener(state, context);
      } catch (error) {
        logger.error({ err: error }, `venue ${venueId}: a connection-state listener threw`);
      }
    }
  }
}
