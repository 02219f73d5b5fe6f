// The WebSocket event stream over a real socket: backfill then live with no gap or duplicate at the seam,
// resume after a disconnect, auth on the upgrade, and a slow client cut off without slowing the engine.
import { connect as connectSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { StreamFrame } from '../../src/daemon/stream.ts';
import { STREAM_CLOSE_BAD_REQUEST, STREAM_CLOSE_SLOW_CLIENT, STREAM_CLOSE_UNAVAILABLE } from '../../src/daemon/stream.ts';
import type { DomainEventListener } from '../../src/domain/events.ts';
import { createServer } from '../../src/daemon/server.ts';
import type { EventLog } from '../../src/daemon/stream.ts';
import { startTestDaemon, SYMBOL, TOKEN, type TestDaemon } from './fixture.ts';

/** An event log that publishes large, well-formed events on demand. */
class PublishedLog implements EventLog {
  private readonly events: DomainEvent[] = [];
  private readonly listeners = new Set<DomainEventListener>();

  publish(): void {
    const sequence = this.events.length + 1;
    const event: DomainEvent = { type: 'OrderCanceled', orderId: `o-${sequence}`, venue: 'paper', symbol: SYMBOL, reason: 'r'.repeat(10_000), sequence, timestamp: sequence };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  eventsSince(afterSequence: number, limit: number): readonly DomainEvent[] {
    return this.events.slice(afterSequence, afterSequence + limit);
  }

  lastSequence(): number {
    return this.events.length;
  }

  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

let daemon: TestDaemon;

afterEach(async () => {
  await daemon?.close();
});

interface StreamReader {
  readonly socket: WebSocket;
  readonly frames: StreamFrame[];
  events(): DomainEvent[];
  /** Resolves once `predicate` holds for the frames received so far. */
  until(predicate: (frames: readonly StreamFrame[]) => boolean): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

function connect(query: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): StreamReader {
  return connectTo(`${daemon.url.replace('http', 'ws')}/v1/stream${query}`, headers);
}

function connectTo(url: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): StreamReader {
  const socket = new WebSocket(url, { headers });
  const frames: StreamFrame[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as StreamFrame);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  return {
    socket,
    frames,
    closed,
    events: () => frames.flatMap((frame) => (frame.kind === 'event' ? [frame.event] : [])),
    async until(predicate) {
      while (!predicate(frames)) {
        if (socket.readyState === WebSocket.CLOSED) throw new Error(`the stream closed while waiting; frames: ${JSON.stringify(frames.slice(-3))}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

const isLive = (frames: readonly StreamFrame[]) => frames.some((frame) => frame.kind === 'live');
const hasSequence = (sequence: number) => (frames: readonly StreamFrame[]) => frames.some((frame) => frame.kind === 'event' && frame.event.sequence === sequence);

function expectConsecutive(events: readonly DomainEvent[], from: number, to: number): void {
  expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: to - from + 1 }, (_, index) => from + index));
}

async function placeOrders(count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const response = await daemon.request('POST', '/v1/orders', { body: { symbol: SYMBOL, side: 'buy', type: 'limit', quantity: '0.01', price: String(49000 + index) } });
    expect(response.status).toBe(201);
    daemon.settle();
  }
}

describe('event stream', () => {
  it('backfills from after=0, says when it is live, then streams new events in order', async () => {
    daemon = await startTestDaemon();
    await placeOrders(3);
    const backfilled = daemon.events.lastSequence();
    const reader = connect('?after=0');
    await reader.until(isLive);
    expectConsecutive(reader.events(), 1, backfilled);
    expect(reader.frames.find((frame) => frame.kind === 'live')).toEqual({ kind: 'live', lastSequence: backfilled });
    await placeOrders(2);
    await reader.until(hasSequence(daemon.events.lastSequence()));
    expectConsecutive(reader.events(), 1, daemon.events.lastSequence());
    reader.socket.close();
  });

  it('starts at the present without after, and a reconnect with after=N misses nothing and repeats nothing', async () => {
    daemon = await startTestDaemon();
    await placeOrders(2);
    const first = connect('');
    await first.until(isLive);
    expect(first.events()).toEqual([]);
    await placeOrders(2);
    const seen = daemon.events.lastSequence();
    await first.until(hasSequence(seen));
    first.socket.close();
    await first.closed;

    // Events happen while the client is away.
    await placeOrders(3);
    const resumed = connect(`?after=${seen}`);
    await resumed.until(isLive);
    await placeOrders(1);
    await resumed.until(hasSequence(daemon.events.lastSequence()));
    expectConsecutive(resumed.events(), seen + 1, daemon.events.lastSequence());
    resumed.socket.close();
  });

  it('has no gap or duplicate at the seam when events keep coming during backfill', async () => {
    // A small client buffer means backfill pages of 5 events: backfill takes many turns while orders keep arriving.
    daemon = await startTestDaemon({ streamBufferEvents: 10 });
    await placeOrders(5);
    const readers = [connect('?after=0'), connect('?after=3'), connect('?after=7')];
    const placing = placeOrders(15);
    await placing;
    const last = daemon.events.lastSequence();
    for (const [index, reader] of readers.entries()) {
      await reader.until(hasSequence(last));
      expectConsecutive(reader.events(), [1, 4, 8][index]!, last);
      reader.socket.close();
    }
  });

  it('accepts the token as ?token= (browsers cannot set headers) and refuses the upgrade without a valid one', async () => {
    daemon = await startTestDaemon();
    const withQuery = connect(`?after=0&token=${TOKEN}`, {});
    await withQuery.until(isLive);
    withQuery.socket.close();
    for (const [query, headers] of [['', {}], ['?token=wrong', {}], ['', { authorization: 'Bearer wrong' }]] as const) {
      const status = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${daemon.url.replace('http', 'ws')}/v1/stream${query}`, { headers });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => reject(new Error('the upgrade was accepted')));
        socket.on('error', () => {});
      });
      expect(status).toBe(401);
    }
    const unknown = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${daemon.url.replace('http', 'ws')}/v1/elsewhere`, { headers: { authorization: `Bearer ${TOKEN}` } });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => {});
    });
    expect(unknown).toBe(404);
  });

  it('answers an upgrade whose URL cannot be parsed with 400 and keeps serving', async () => {
    daemon = await startTestDaemon();
    const port = new URL(daemon.url).port;
    const statusLine = await new Promise<string>((resolve) => {
      const socket = connectSocket(Number(port), '127.0.0.1', () => {
        socket.write('GET //x:99999/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      });
      let received = '';
      socket.on('data', (chunk) => (received += String(chunk)));
      socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
    });
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect((await daemon.request('GET', '/health', { token: null })).status).toBe(200);
  });

  it('tells a client asking beyond the journal to re-sync, and refuses a bad after', async () => {
    daemon = await startTestDaemon();
    await placeOrders(1);
    const last = daemon.events.lastSequence();
    const beyond = connect(`?after=${last + 100}`);
    const closed = await beyond.closed;
    expect(closed.code).toBe(STREAM_CLOSE_BAD_REQUEST);
    expect(beyond.frames).toEqual([{ kind: 'resync', afterSequence: last, message: expect.stringContaining('beyond the last event') }]);
    const bad = connect('?after=-1');
    expect((await bad.closed).code).toBe(STREAM_CLOSE_BAD_REQUEST);
  });

  it('tells a client to re-sync when the events it asks for are no longer held, over the stream and HTTP', async () => {
    // Without a store the engine keeps only its recent events.
    daemon = await startTestDaemon({ eventHistory: 10 });
    await placeOrders(6);
    const stale = connect('?after=1');
    expect((await stale.closed).code).toBe(STREAM_CLOSE_UNAVAILABLE);
    expect(stale.frames).toEqual([{ kind: 'resync', afterSequence: 1, message: expect.stringContaining('no longer held') }]);
    const response = await daemon.request('GET', '/v1/events?after=1');
    expect(response.status).toBe(410);
    expect(response.body.error.code).toBe('events_unavailable');
    const recent = connect(`?after=${daemon.events.lastSequence() - 5}`);
    await recent.until(isLive);
    expect(recent.events()).toHaveLength(5);
    recent.socket.close();
  });

  it('cuts off a client that stops reading, with a re-sync notice, while publishing never waits', async () => {
    daemon = await startTestDaemon();
    // A log of large events (10 KB reasons), so the kernel's socket buffers fill after a few thousand.
    const log = new PublishedLog();
    const server = await createServer({ engine: daemon.engine, token: TOKEN, events: log, rateLimit: false, streamBufferEvents: 500 });
    try {
      const url = `${server.url.replace('http', 'ws')}/v1/stream?after=0`;
      const slow = connectTo(url);
      const fast = connectTo(url);
      await Promise.all([slow.until(isLive), fast.until(isLive)]);
      const rawSocket = (slow.socket as unknown as { _socket: import('node:net').Socket })._socket;
      rawSocket.pause();
      while (server.streamClients() > 1 && log.lastSequence() < 20_000) {
        // Publishing is synchronous: it hands each frame to the sockets and never waits for one.
        for (let index = 0; index < 100; index++) log.publish();
        // The reading client keeps up before the next burst; only the other one falls behind.
        await fast.until(hasSequence(log.lastSequence()));
      }
      expect(server.streamClients()).toBe(1);
      rawSocket.resume();
      const closed = await slow.closed;
      expect([STREAM_CLOSE_SLOW_CLIENT, 1006]).toContain(closed.code);
      const lastSeenBySlow = slow.events().at(-1)?.sequence ?? 0;
      const notice = slow.frames.find((frame) => frame.kind === 'resync');
      if (notice !== undefined) expect(notice).toMatchObject({ kind: 'resync', afterSequence: lastSeenBySlow });
      expectConsecutive(slow.events(), 1, lastSeenBySlow);
      // The client that reads got everything.
      await fast.until(hasSequence(log.lastSequence()));
      expectConsecutive(fast.events(), 1, log.lastSequence());
      fast.socket.close();
    } finally {
      await server.close();
    }
  });
});
