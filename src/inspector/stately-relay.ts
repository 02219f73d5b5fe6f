// Stately's inspector attaches to a Node process through a relay: a WebSocket server the process connects out
// to (as @statelyai/inspect's createWebSocketInspector does) and the inspector reads from. This connects the
// bridge out to such a relay at a configured ws:// URL, sends it the Stately protocol, and reconnects with
// backoff when the relay goes away; the bridge stays attached only while the relay is connected.
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import type { BridgeConnection, InspectorBridge } from './bridge.ts';
import { StatelySubscriber } from './stately.ts';

export interface StatelyRelayOptions {
  /** First wait before reconnecting; doubles up to `maxRetryMs`. Default 500 ms. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

export type StatelyRelayState = 'connecting' | 'connected' | 'waiting' | 'stopped';

/** Refuses a URL that is not ws:// or wss://, before anything connects. */
export function parseRelayUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Stately relay URL ${JSON.stringify(url)} is not a URL; expected ws://host:port`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error(`Stately relay URL must be ws:// or wss://, got ${parsed.protocol}//`);
  return parsed;
}

export class StatelyRelay {
  private socket: WebSocket | undefined;
  private connection: BridgeConnection | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs: number;
  private current: StatelyRelayState = 'connecting';
  /** Times a connection to the relay opened. */
  connections = 0;

  constructor(
    private readonly bridge: InspectorBridge,
    private readonly engine: Engine,
    private readonly url: URL,
    private readonly logger: Logger,
    private readonly options: StatelyRelayOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 500;
    this.connect();
  }

  get state(): StatelyRelayState {
    return this.current;
  }

  stop(): void {
    this.current = 'stopped';
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.connection?.close();
    this.connection = undefined;
    this.socket?.terminate();
    this.socket = undefined;
  }

  private connect(): void {
    if (this.current === 'stopped') return;
    this.current = 'connecting';
    const socket = new WebSocket(this.url, { handshakeTimeout: 5000 });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.current = 'connected';
      this.connections++;
      this.retryMs = this.options.retryMs ?? 500;
      this.logger.info({ relay: this.url.origin }, 'connected to the Stately inspector relay');
      const subscriber = new StatelySubscriber(this.engine, (message) => socket.send(message), () => socket.bufferedAmount, (limit) => this.bridge.recentFinished(limit));
      this.connection = this.bridge.connect(subscriber);
    });
    socket.on('message', () => {
      // The relay forwards what inspectors send back (none of it is a command here): ignored.
    });
    socket.on('error', (error) => this.logger.debug({ err: error, relay: this.url.origin }, 'Stately relay socket error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.connection?.close();
      this.connection = undefined;
      this.socket = undefined;
      if (this.current === 'stopped') return;
      this.current = 'waiting';
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.timer.unref?.();
      this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs ?? 10_000);
    });
  }
}
