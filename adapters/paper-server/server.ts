// The paper venue server: one hosted PaperVenue behind a token-guarded WebSocket on 127.0.0.1, speaking the
// protocol in adapters/websocket-venue/protocol.ts (sequenced reports with resume, heartbeats both ways).
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AUTHORIZATION_HEADER, PROTOCOL_VERSION, marketDataToWire, type ClientMessage, type ServerMessage } from '../websocket-venue/protocol.ts';
import { parseClientMessage } from './client-messages.ts';
import { VenueHost, type SequencedReport, type VenueHostOptions } from './venue-host.ts';

export interface PaperVenueServerOptions extends VenueHostOptions {
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Shared secret every client must present as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** How often the server pings each client; default 5000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** A client silent for longer than this is cut off; default three intervals. */
  readonly heartbeatTimeoutMs?: number;
  /** Above this many bytes queued to a client, market data to it is skipped (reports never are); default 4 MiB. */
  readonly maxBufferedBytes?: number;
}

export interface PaperVenueServer {
  /** ws://host:port */
  readonly url: string;
  readonly port: number;
  /** This run's instance id, sent in every welcome. */
  readonly instance: string;
  /** The hosted venue, its report log and its whole truth. */
  readonly host: VenueHost;
  /** Connections open now (silenced ones included). */
  connectionCount(): number;
  /** Closes every client socket abruptly (as a crashed network would); the venue keeps running. */
  dropConnections(): number;
  /** Makes every current connection a black hole: nothing read, nothing sent, socket left open. */
  silenceConnections(): number;
  /**
   * The next command (submit, submitList, amend or cancel) is carried out, then its connection goes silent before the
   * acknowledgement: the client cannot know whether the command arrived.
   */
  silenceAfterNextCommand(): void;
  /** While false, new connections are refused with HTTP 503 (a venue briefly unreachable). */
  setAccepting(accepting: boolean): void;
  close(): Promise<void>;
}

interface Connection {
  readonly socket: WebSocket;
  session: string | undefined;
  /** Receives live reports: set once the backlog after its resume point has been sent. */
  streaming: boolean;
  /** A newer connection of the same session said hello: this one is ignored until it closes. */
  superseded: boolean;
  silenced: boolean;
  lastHeardAt: number;
  readonly symbols: Set<string>;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

/** Starts the server; resolves once it listens. Refuses to start without a token. */
export async function startPaperVenueServer(options: PaperVenueServerOptions): Promise<PaperVenueServer> {
  if (typeof options.token !== 'string' || options.token.length < 8) {
    throw new Error('the paper venue server needs a token of at least 8 characters');
  }
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? heartbeatIntervalMs * 3;
  if (!(heartbeatIntervalMs > 0) || !(heartbeatTimeoutMs > 0)) throw new Error('heartbeat interval and timeout must be positive');
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const expectedToken = digest(options.token);

  const host = new VenueHost(options);
  const instance = randomUUID();
  const connections = new Set<Connection>();
  let accepting = true;
  let silenceAfterCommand = false;

  const send = (connection: Connection, message: ServerMessage): void => {
    if (connection.silenced || connection.superseded || connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(JSON.stringify(message));
  };

  const stopReports = host.onReport((entry: SequencedReport) => {
    const text = JSON.stringify({ type: 'report', sequence: entry.sequence, report: entry.report } satisfies ServerMessage);
    for (const connection of connections) {
      if (connection.streaming && !connection.silenced && !connection.superseded && connection.socket.readyState === connection.socket.OPEN) {
        connection.socket.send(text);
      }
    }
  });

  const stopMarket = host.onMarketData((data) => {
    let text: string | undefined;
    for (const connection of connections) {
      if (!connection.streaming || connection.silenced || connection.superseded || !connection.symbols.has(data.symbol)) continue;
      if (connection.socket.readyState !== connection.socket.OPEN) continue;
      // Latest wins: a client that cannot keep up misses ticks, never reports.
      if (connection.socket.bufferedAmount > maxBufferedBytes) continue;
      text ??= JSON.stringify({ type: 'market', data: marketDataToWire(data) } satisfies ServerMessage);
      connection.socket.send(text);
    }
  });

  const handle = async (connection: Connection, message: ClientMessage): Promise<void> => {
    if (message.type === 'ping') return send(connection, { type: 'pong', at: message.at });
    if (message.type === 'pong') return;
    if (message.type === 'hello') return hello(connection, message);
    if (connection.session === undefined) {
      return send(connection, { type: 'error', id: 'id' in message ? message.id : null, message: 'say hello first' });
    }
    switch (message.type) {
      case 'submit':
        host.submit(message.order);
        return acknowledge(connection, message.id);
      case 'submitList':
        host.submitList(message.list);
        return acknowledge(connection, message.id);
      case 'amend':
        host.amend(message.clientOrderId, message.amendment);
        return acknowledge(connection, message.id);
      case 'cancel':
        host.cancel(message.clientOrderId);
        return acknowledge(connection, message.id);
      case 'subscribe':
        for (const symbol of message.symbols) connection.symbols.add(symbol);
        return;
      case 'query': {
        const result =
          message.query === 'order' ? ((await host.queryOrder(message.clientOrderId)) ?? null)
          : message.query === 'orderFills' ? await host.venue.orderFills(message.clientOrderId)
          : message.query === 'openOrders' ? await host.venue.openOrders()
          : message.query === 'balances' ? await host.venue.balances()
          : message.query === 'fillsSince' ? host.fillsSince(message.afterSequence)
          : await host.adminState();
        return send(connection, { type: 'result', id: message.id, result });
      }
    }
  };

  const acknowledge = (connection: Connection, id: number): void => {
    if (silenceAfterCommand) {
      silenceAfterCommand = false;
      connection.silenced = true;
      return;
    }
    send(connection, { type: 'ack', id });
  };

  const hello = (connection: Connection, message: Extract<ClientMessage, { type: 'hello' }>): void => {
    const refuse = (text: string): void => {
      send(connection, { type: 'error', id: null, message: text, fatal: true });
      connection.socket.close(4000, text.slice(0, 120));
    };
    if (message.protocol !== PROTOCOL_VERSION) return refuse(`protocol ${message.protocol} is not spoken here (server speaks ${PROTOCOL_VERSION})`);
    if (connection.session !== undefined) return refuse('hello was already said on this connection');
    if (message.resumeAfter !== null && message.resumeAfter > host.lastSequence) {
      return refuse(
        `cannot resume after report ${message.resumeAfter}: this venue's log ends at ${host.lastSequence} (the venue restarted and its reports are gone)`,
      );
    }
    // Fence older connections of this session: nothing more they carry is acted on.
    for (const other of connections) {
      if (other !== connection && other.session === message.session) {
        other.superseded = true;
        other.socket.terminate();
      }
    }
    connection.session = message.session;
    send(connection, {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      venue: host.venue.id,
      instance,
      capabilities: host.venue.capabilities,
      instruments: host.instruments.map((instrument) => instrument.spec),
      serverTime: host.clock.now(),
      lastSequence: host.lastSequence,
    });
    // Backlog then live, in one turn of the event loop: no report can slip between the two.
    for (const entry of host.reportsAfter(message.resumeAfter ?? host.lastSequence)) {
      send(connection, { type: 'report', sequence: entry.sequence, report: entry.report });
    }
    send(connection, { type: 'resumed', through: host.lastSequence });
    connection.streaming = true;
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  wss.on('connection', (socket: WebSocket) => {
    const connection: Connection = {
      socket,
      session: undefined,
      streaming: false,
      superseded: false,
      silenced: false,
      lastHeardAt: Date.now(),
      symbols: new Set(),
    };
    connections.add(connection);
    socket.on('message', (data, isBinary) => {
      if (connection.silenced || connection.superseded) return;
      connection.lastHeardAt = Date.now();
      if (isBinary) return send(connection, { type: 'error', id: null, message: 'binary frames are not part of the protocol' });
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) return send(connection, { type: 'error', id: parsed.id, message: parsed.error });
      handle(connection, parsed.message).catch((error: unknown) => {
        const id = 'id' in parsed.message ? (parsed.message.id as number) : null;
        send(connection, { type: 'error', id, message: error instanceof Error ? error.message : String(error) });
      });
    });
    socket.on('close', () => connections.delete(connection));
    socket.on('error', () => connections.delete(connection));
  });

  const httpServer = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('this is a WebSocket endpoint\n');
  });
  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!accepting) return refuseUpgrade(socket, 503, 'Service Unavailable', 'not accepting connections right now');
    const presented = bearerToken(request.headers[AUTHORIZATION_HEADER]);
    if (presented === undefined || !timingSafeEqual(digest(presented), expectedToken)) {
      return refuseUpgrade(socket, 401, 'Unauthorized', 'missing or wrong token');
    }
    wss.handleUpgrade(request, socket, head, (websocket) => wss.emit('connection', websocket, request));
  });

  const heartbeat = setInterval(() => {
    const now = Date.now();
    const quiet: Connection[] = [];
    for (const connection of connections) {
      if (connection.silenced || connection.superseded) continue;
      if (now - connection.lastHeardAt > heartbeatTimeoutMs) quiet.push(connection);
      else send(connection, { type: 'ping', at: now });
    }
    if (quiet.length === 0) return;
    // After our own event loop was blocked, timers run before pending socket reads: read those first, so a
    // client whose answer is already waiting in the socket is not cut off.
    setImmediate(() => {
      const later = Date.now();
      for (const connection of quiet) {
        if (!connections.has(connection) || later - connection.lastHeardAt <= heartbeatTimeoutMs) continue;
        connection.socket.terminate();
        connections.delete(connection);
      }
    });
  }, heartbeatIntervalMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `ws://${urlHost}:${address.port}`,
    port: address.port,
    instance,
    host,
    connectionCount: () => connections.size,
    dropConnections: () => {
      const count = connections.size;
      for (const connection of connections) connection.socket.terminate();
      connections.clear();
      return count;
    },
    silenceConnections: () => {
      for (const connection of connections) connection.silenced = true;
      return connections.size;
    },
    silenceAfterNextCommand: () => {
      silenceAfterCommand = true;
    },
    setAccepting: (value) => {
      accepting = value;
    },
    close: async () => {
      clearInterval(heartbeat);
      stopReports();
      stopMarket();
      host.stop();
      for (const connection of connections) connection.socket.terminate();
      connections.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}

function digest(text: string): Buffer {
  // Hashing first gives both sides the same length, which timingSafeEqual requires.
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

function refuseUpgrade(socket: Duplex, status: number, statusText: string, body: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
