// The Stately bridge: each machine's definition sent once per client, sourceId on every event, only live and
// recent actors announced to a new client; and the relay mode, connecting out to a Stately inspector relay (a
// WebSocket server run here on 127.0.0.1) and reconnecting when the relay comes back.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { pino } from 'pino';
import { createServer } from '../../src/daemon/server.ts';
import { registerInspector, STATELY_PROTOCOL_VERSION, type StatelyRelay } from '../../src/inspector/index.ts';
import { STATELY_RECENT_FINISHED } from '../../src/inspector/stately.ts';
import { startInspectedDaemon, TOKEN, type InspectedDaemon } from './fixture.ts';

let daemon: InspectedDaemon | undefined;
const closers: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await daemon?.close();
  daemon = undefined;
});

/** Collects JSON messages; `until(predicate)` waits for the first match. */
function collector() {
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  return {
    messages,
    push(data: Buffer) {
      messages.push(JSON.parse(data.toString()));
      for (const wake of waiters.splice(0)) wake();
    },
    async until<T = any>(predicate: (message: any) => boolean): Promise<T> {
      for (;;) {
        const found = messages.find(predicate);
        if (found !== undefined) return found as T;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

function openStately() {
  const socket = new WebSocket(`${daemon!.url.replace('http', 'ws')}/inspector/stately?token=${TOKEN}`);
  closers.push(() => socket.terminate());
  const received = collector();
  socket.on('message', (data: Buffer) => received.push(data));
  return received;
}

function place(clientOrderId: string) {
  return daemon!.request('POST', '/v1/orders', { clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000' });
}

/** A relay as Stately's tools run one: a WebSocket server that processes connect out to. */
async function startRelay(port = 0) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const received = collector();
  server.on('connection', (socket) => socket.on('message', (data: Buffer) => received.push(data)));
  const close = () => new Promise<void>((resolve) => {
    for (const client of server.clients) client.terminate();
    server.close(() => resolve());
  });
  return { port: (server.address() as AddressInfo).port, received, close };
}

describe('Stately bridge', () => {
  it('sends each machine definition once, with sourceId on every event', async () => {
    daemon = await startInspectedDaemon({ flushIntervalMs: 10 });
    const stately = openStately();
    await stately.until((message) => message.type === '@xstate.actor' && message.sessionId === 'portfolio');
    await place('d1');
    await place('d2');
    daemon.venue.report({ type: 'accepted', clientOrderId: 'd1', venueOrderId: 'v1' });
    const first = await stately.until((message) => message.type === '@xstate.actor' && message.sessionId === 'order:d1');
    const second = await stately.until((message) => message.type === '@xstate.actor' && message.sessionId === 'order:d2');
    expect(JSON.parse(first.definition)).toMatchObject({ id: 'order', initial: 'pending' });
    expect(second.definition).toBeUndefined();
    expect(second).toMatchObject({ machineId: 'order', _version: STATELY_PROTOCOL_VERSION });
    const definitions = stately.messages.filter((message) => message.type === '@xstate.actor' && message.definition !== undefined).map((message) => JSON.parse(message.definition).id);
    expect(definitions.sort()).toEqual(['order', 'portfolio']);
    // Who sent what: the gate submits, the venue reports.
    const submit = await stately.until((message) => message.type === '@xstate.event' && message.sessionId === 'order:d1' && message.event.type === 'submit');
    const accepted = await stately.until((message) => message.type === '@xstate.event' && message.sessionId === 'order:d1' && message.event.type === 'venue.accepted');
    expect(submit.sourceId).toBe('portfolio');
    expect(accepted.sourceId).toBe('venue:manual');
    for (const event of stately.messages.filter((message) => message.type === '@xstate.event')) expect(Object.hasOwn(event, 'sourceId')).toBe(true);
  });

  it(`announces live actors and only the ${STATELY_RECENT_FINISHED} most recently finished to a new client`, async () => {
    daemon = await startInspectedDaemon({ flushIntervalMs: 10 });
    daemon.engine.halt('history');
    const finished: string[] = [];
    for (let index = 0; index < 300; index++) finished.push(daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' }).orderId);
    daemon.engine.resume();
    await place('live-1');
    const stately = openStately();
    await stately.until((message) => message.type === '@xstate.actor' && message.sessionId === 'order:live-1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const announced = stately.messages.filter((message) => message.type === '@xstate.actor').map((message) => message.sessionId as string);
    expect(announced).toContain('portfolio');
    expect(announced).toContain('order:live-1');
    const past = announced.filter((id) => finished.includes(id.slice('order:'.length)));
    expect(past).toHaveLength(STATELY_RECENT_FINISHED);
    // The most recent ones, oldest of them first.
    expect(past).toEqual(finished.slice(-STATELY_RECENT_FINISHED).map((id) => `order:${id}`));
    expect(stately.messages.find((message) => message.sessionId === `order:${finished[0]}`)).toBeUndefined();
  });

  it('connects out to a Stately inspector relay on 127.0.0.1, streams to it, and reconnects when it comes back', async () => {
    const relay = await startRelay();
    closers.push(relay.close);
    let client: StatelyRelay | undefined;
    daemon = await startInspectedDaemon({ flushIntervalMs: 10, statelyRelayUrl: `ws://127.0.0.1:${relay.port}`, statelyRelay: { retryMs: 50, maxRetryMs: 200 }, onStatelyRelay: (created) => void (client = created) });
    const portfolio = await relay.received.until((message) => message.type === '@xstate.actor' && message.sessionId === 'portfolio');
    expect(JSON.parse(portfolio.definition)).toMatchObject({ id: 'portfolio' });
    expect(client!.state).toBe('connected');
    expect(daemon.bridge.attached).toBe(true);
    await place('r1');
    await relay.received.until((message) => message.type === '@xstate.snapshot' && message.sessionId === 'order:r1' && message.snapshot.value === 'submitted');

    // The relay goes away: the bridge lets go of the engine; a relay on the same port is found again.
    await relay.close();
    await expect.poll(() => client!.state).toBe('waiting');
    await expect.poll(() => daemon!.bridge.attached).toBe(false);
    const again = await startRelay(relay.port);
    closers.push(again.close);
    await again.received.until((message) => message.type === '@xstate.actor' && message.sessionId === 'order:r1');
    expect(client!.connections).toBe(2);
  });

  it('refuses a relay URL that is not ws:// or wss://, before the server listens', async () => {
    const fixture = await startInspectedDaemon();
    daemon = fixture;
    await expect(createServer({
      engine: fixture.engine, token: TOKEN, rateLimit: false, logger: pino({ level: 'silent' }),
      plugins: [(app, mount) => void registerInspector(app, mount, { statelyRelayUrl: 'http://127.0.0.1:8080' })],
    })).rejects.toThrow('Stately relay URL must be ws:// or wss://, got http://');
  });
});
