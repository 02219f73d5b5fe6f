// The inspector's WebSockets over the daemon's real server on 127.0.0.1: token required, snapshot then batches,
// a reconnect resuming after its last sequence, a reader that stops reading told to re-sync, the Stately
// protocol's message shape, and the initial load with 10,000 live actors under 2 MB.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { BatchMessage, InspectorMessage, SnapshotMessage } from '../../src/inspector/protocol.ts';
import type { StatelyInspectionEvent } from '../../src/inspector/stately.ts';
import { openLiveOrders, startInspectedDaemon, TOKEN, type InspectedDaemon } from './fixture.ts';

let daemon: InspectedDaemon | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) if (socket.readyState === WebSocket.OPEN) socket.terminate();
  await daemon?.close();
  daemon = undefined;
});

/** Opens a socket and collects its JSON messages; `next(predicate)` waits for the first matching one. */
function open(path: string, token = TOKEN) {
  const socket = new WebSocket(`${daemon!.url.replace('http', 'ws')}${path}${path.includes('?') ? '&' : '?'}token=${token}`);
  sockets.push(socket);
  // A refused or terminated socket reports an error; the tests look at statuses and messages instead.
  socket.on('error', () => {});
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  let bytes = 0;
  socket.on('message', (data: Buffer) => {
    bytes += data.length;
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    socket,
    messages,
    bytes: () => bytes,
    opened: new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    }),
    async next<T>(predicate: (message: any) => boolean): Promise<T> {
      for (;;) {
        const found = messages.find(predicate);
        if (found !== undefined) return found as T;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

function place(clientOrderId: string): Promise<unknown> {
  return daemon!.request('POST', '/v1/orders', { clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000' });
}

describe('inspector streams', () => {
  it('refuses a socket with a wrong token or none, and attaches nothing', async () => {
    daemon = await startInspectedDaemon();
    for (const token of ['wrong', '']) {
      const client = open('/inspector/stream', token);
      const status = await new Promise<number>((resolve) => client.socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)));
      expect(status).toBe(401);
    }
    expect(daemon.bridge.attached).toBe(false);
  });

  it('sends a snapshot then batches; a reconnect after its last sequence resumes with nothing missed', async () => {
    daemon = await startInspectedDaemon({ flushIntervalMs: 20 });
    const keeper = open('/inspector/stream');
    await keeper.next((message) => message.type === 'snapshot');
    const first = open('/inspector/stream');
    const snapshot = await first.next<SnapshotMessage>((message) => message.type === 'snapshot');
    expect(snapshot.nodes.map((node) => node.id)).toEqual(['portfolio', 'venue:manual']);
    await place('w1');
    const batch = await first.next<BatchMessage>((message) => message.type === 'batch' && message.nodes.some((node: any) => node.id === 'order:w1'));
    first.socket.close();
    await new Promise((resolve) => first.socket.once('close', resolve));

    daemon.venue.report({ type: 'accepted', clientOrderId: 'w1', venueOrderId: 'v1' });
    await place('w2');
    const again = open(`/inspector/stream?session=${batch.session}&after=${batch.sequence}`);
    const resumed = await again.next<InspectorMessage>(() => true);
    expect(resumed.type).toBe('batch');
    const entries = (resumed as BatchMessage).entries;
    expect(entries[0]!.sequence).toBe(batch.sequence + 1);
    expect(entries.map((entry) => entry.sequence)).toEqual(entries.map((_, index) => batch.sequence + 1 + index));
    expect((resumed as BatchMessage).nodes.find((node) => node.id === 'order:w1')?.state).toBe('open');
    expect(entries.some((entry) => entry.actorId === 'order:w2' && entry.eventType === 'submit')).toBe(true);
  });

  it('sends a page that watches one actor only its log entries; the page changes what it watches with a message', async () => {
    daemon = await startInspectedDaemon({ flushIntervalMs: 20 });
    const page = open('/inspector/stream?watch=');
    await page.next((message) => message.type === 'snapshot');
    await place('p1');
    await page.next((message) => message.type === 'batch' && message.nodes.some((node: any) => node.id === 'order:p1'));
    expect(page.messages.flatMap((message) => message.entries ?? [])).toEqual([]);

    page.socket.send(JSON.stringify({ type: 'watch', actorIds: ['order:p1'] }));
    // p1's kept entries come first (its submit), then its new ones; p2's never.
    await page.next((message) => message.type === 'batch' && message.entries.some((entry: any) => entry.actorId === 'order:p1' && entry.eventType === 'submit'));
    await place('p2');
    daemon.venue.report({ type: 'accepted', clientOrderId: 'p1', venueOrderId: 'v-p1' });
    await page.next((message) => message.type === 'batch' && message.entries.some((entry: any) => entry.eventType === 'venue.accepted'));
    await page.next((message) => message.type === 'batch' && message.nodes.some((node: any) => node.id === 'order:p2'));
    const entries = page.messages.flatMap((message) => message.entries ?? []);
    expect(new Set(entries.map((entry: any) => entry.actorId))).toEqual(new Set(['order:p1']));

    // Anything but a watch message ends the socket, with the reason.
    const closed = new Promise<[number, string]>((resolve) => page.socket.once('close', (code, reason) => resolve([code, reason.toString()])));
    page.socket.send(JSON.stringify({ type: 'watch', actorIds: 'order:p1' }));
    expect(await closed).toEqual([1008, expect.stringMatching(/expected \{"type":"watch"/)]);
  });

  it('tells a page that stopped reading to re-sync once it drains, and the engine never waits for it', async () => {
    daemon = await startInspectedDaemon({ flushIntervalMs: 10, maxBufferedBytes: 64 * 1024 });
    const slow = open('/inspector/stream');
    await slow.next((message) => message.type === 'snapshot');
    // Stop reading: the kernel buffers fill, then the server's queue for this socket grows past the bound.
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    // Orders until the server's queue for the socket passes the bound (the kernel's buffers fill first).
    let count = 0;
    while (daemon.bridge.stalledClientCount === 0 && count < 40_000) {
      openLiveOrders(daemon, 200);
      count += 200;
      // Yield between rounds, so the bridge's timer flushes while the reader is stuck.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(daemon.bridge.stalledClientCount).toBe(1);
    // The engine went on at its pace: every order is open, none waited for the page.
    expect(daemon.engine.listOrders({ status: 'open' })).toHaveLength(count);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.next((message) => message.type === 'resync');
    const fresh = await slow.next<SnapshotMessage>((message) => message.type === 'snapshot' && message.nodes.length > 2);
    expect(fresh.nodes.filter((node) => node.kind === 'order' && node.state === 'open')).toHaveLength(count);
  }, 60_000);

  it('speaks the Stately inspector protocol: @xstate.actor, @xstate.event and @xstate.snapshot with session, root and parent ids', async () => {
    daemon = await startInspectedDaemon({ flushIntervalMs: 10 });
    const stately = open('/inspector/stately');
    const portfolio = await stately.next<StatelyInspectionEvent>((message) => message.type === '@xstate.actor' && message.sessionId === 'portfolio');
    expect((portfolio as { parentId?: string }).parentId).toBeUndefined();
    expect(portfolio).toMatchObject({ type: '@xstate.actor', name: 'portfolio', rootId: 'portfolio', _version: expect.stringMatching(/^\d+\.\d+\.\d+$/), snapshot: { status: 'active', value: 'active' } });
    expect(JSON.parse((portfolio as { definition: string }).definition)).toMatchObject({ id: 'portfolio', initial: 'active' });
    await place('s1');
    const actor = await stately.next<any>((message) => message.type === '@xstate.actor' && message.sessionId === 'order:s1');
    expect(actor).toMatchObject({ parentId: 'portfolio', rootId: 'portfolio', snapshot: { status: 'active' } });
    expect(JSON.parse(actor.definition)).toMatchObject({ id: 'order', initial: 'pending' });
    const event = await stately.next<any>((message) => message.type === '@xstate.event' && message.sessionId === 'order:s1' && message.event.type === 'submit');
    expect(Object.keys(event).sort()).toEqual(['_version', 'createdAt', 'event', 'id', 'rootId', 'sessionId', 'sourceId', 'type']);
    expect(event.sourceId).toBe('portfolio');
    expect(typeof event.createdAt).toBe('string');
    const snapshot = await stately.next<any>((message) => message.type === '@xstate.snapshot' && message.sessionId === 'order:s1' && message.event.type === 'submit');
    expect(snapshot).toMatchObject({ rootId: 'portfolio', snapshot: { status: 'active', value: 'submitted', context: { clientOrderId: 's1', filledQuantity: '0' } } });
    expect(stately.messages.indexOf(actor)).toBeLessThan(stately.messages.indexOf(event));
    expect(stately.messages.indexOf(event)).toBeLessThan(stately.messages.indexOf(snapshot));
  });

  it('loads 10,000 live actors in an initial snapshot under 2 MB', async () => {
    daemon = await startInspectedDaemon();
    openLiveOrders(daemon, 10_000);
    const page = open('/inspector/stream');
    const snapshot = await page.next<SnapshotMessage>((message) => message.type === 'snapshot');
    expect(snapshot.nodes.filter((node) => node.kind === 'order' && node.live)).toHaveLength(10_000);
    expect(snapshot.nodes.find((node) => node.kind === 'position')).toMatchObject({ side: 'long', quantity: '20000' });
    expect(page.bytes()).toBeLessThan(2 * 1024 * 1024);
  }, 60_000);
});
