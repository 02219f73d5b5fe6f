// One WebSocket to the venue server at a time: dialled with the token, retired for good when the link drops
// (its late events are ignored), and JSON messages sent only while it is open.
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { AUTHORIZATION_HEADER, type ClientMessage } from './protocol.ts';

export interface VenueSocketOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  readonly token: string;
  readonly handshakeTimeoutMs: number;
  readonly opened: () => void;
  readonly message: (text: string) => void;
  /** The server refused the upgrade with this HTTP status (the owner retires the socket). */
  readonly upgradeRefused: (status: number) => void;
  /** The socket closed or failed (the owner retires it). */
  readonly closed: (reason: string) => void;
}

export class VenueSocket {
  private socket: WebSocket | undefined;
  /** Bumped whenever a socket is opened or retired, so late events from an older one are ignored. */
  private currentGeneration = 0;

  constructor(private readonly options: VenueSocketOptions) {}

  /** Which socket is current: work started for one generation stops once this changes. */
  get generation(): number {
    return this.currentGeneration;
  }

  open(): void {
    const { url, token, handshakeTimeoutMs } = this.options;
    const generation = ++this.currentGeneration;
    let closeReason: string | undefined;
    const socket = new WebSocket(url, {
      headers: { [AUTHORIZATION_HEADER]: `Bearer ${token}` },
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload: 64 * 1024 * 1024,
    });
    this.socket = socket;
    const current = () => generation === this.currentGeneration;
    socket.on('open', () => {
      if (current()) this.options.opened();
    });
    socket.on('message', (data) => {
      if (current()) this.options.message(data.toString());
    });
    socket.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
      request.destroy();
      if (current()) this.options.upgradeRefused(response.statusCode ?? 0);
    });
    socket.on('error', (error) => {
      closeReason = error.message;
    });
    socket.on('close', (code, reason) => {
      if (current()) this.options.closed(closeReason ?? `socket closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`);
    });
  }

  /** Drops the current socket for good: its late events are ignored. */
  retire(): void {
    this.currentGeneration++;
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) {
      socket.removeAllListeners('message');
      socket.on('error', () => {});
      socket.terminate();
    }
  }

  send(message: ClientMessage): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(message));
  }
}
