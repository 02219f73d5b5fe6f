// The inspection bridge over a real engine and a hand-driven venue: it attaches only while a client is
// connected, builds the actor tree, coalesces updates, re-syncs a client that fell behind, and resumes a
// reconnecting client from its last sequence with nothing missing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualVenue } from '../../adapters/manual/manual-venue.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { createInstrument } from '../../src/domain/instrument.ts';
import { SimulatedClock } from '../../src/domain/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { InspectorBridge, type BridgeSubscriber, type RetainedEntry } from '../../src/inspector/bridge.ts';
import type { BatchMessage, InspectorMessage, SnapshotMessage } from '../../src/inspector/protocol.ts';

const btc = createInstrument({
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.001',
});

/** A client that keeps what it is sent and reports a settable backlog, as a socket's bufferedAmount would. */
class CollectingClient implements BridgeSubscriber {
  readonly messages: InspectorMessage[] = [];
  readonly retained: RetainedEntry[] = [];
  backlog = 0;
  bufferedBytes(): number {
    return this.backlog;
  }
  snapshot(message: SnapshotMessage): void {
    this.messages.push(JSON.parse(JSON.stringify(message)));
  }
  batch(_message: BatchMessage, entries: readonly RetainedEntry[], encoded: () => string): void {
    this.messages.push(JSON.parse(encoded()));
    this.retained.push(...entries);
  }
  resync(reason: string): void {
    this.messages.push({ type: 'resync', reason });
  }
  batches(): BatchMessage[] {
    return this.messages.filter((message): message is BatchMessage => message.type === 'batch');
  }
}

let clock: SimulatedClock;
let venue: ManualVenue;
let engine: Engine;
let bridge: InspectorBridge;

beforeEach(async () => {
  clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  venue = new ManualVenue({ instruments: [btc], now: () => clock.now(), balances: { USDT: '1000000', BTC: '10' } });
  engine = createEngine({ venues: [venue], clock, clientOrderIdPrefix: 't' });
  await engine.start();
  venue.publishMarketData({ type: 'quote', symbol: 'BTC/USDT', timestamp: clock.now(), bids: [{ price: decimal('49999.9'), quantity: decimal('1') }], asks: [{ price: decimal('50000.1'), quantity: decimal('1') }] });
  bridge = new InspectorBridge(engine, { flushIntervalMs: 60_000 });
});

afterEach(async () => {
  bridge.close();
  await engine.stop();
});

function placeAndFill(clientOrderId: string, fills: readonly string[]): void {
  engine.submitOrder({ clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1', price: '49000' });
  venue.report({ type: 'accepted', clientOrderId, venueOrderId: `v-${clientOrderId}` });
  fills.forEach((quantity, index) => {
    venue.report({ type: 'filled', clientOrderId, tradeId: `${clientOrderId}-${index}`, quantity, price: '49000', fee: '0.01', feeCurrency: 'USDT', liquidity: 'maker' });
  });
}

describe('inspection bridge', () => {
  it('attaches only while a client is connected, and the engine runs with no observer once the last one leaves', () => {
    expect(bridge.attached).toBe(false);
    const first = bridge.connect(new CollectingClient());
    const second = bridge.connect(new CollectingClient());
    expect(bridge.attached).toBe(true);
    first.close();
    expect(bridge.attached).toBe(true);
    second.close();
    expect(bridge.attached).toBe(false);

    // With no client, a lifecycle leaves nothing queued in the bridge: no observer was called.
    placeAndFill('quiet', ['1']);
    const late = new CollectingClient();
    bridge.connect(late);
    const snapshot = late.messages[0] as SnapshotMessage;
    expect(snapshot.type).toBe('snapshot');
    // Finished actors are not in the snapshot: they are paged, newest first, from the history.
    expect(snapshot.nodes.find((node) => node.id === 'order:quiet')).toBeUndefined();
    const history = bridge.historyPage(snapshot.history.epoch, snapshot.history.count, 0, 10)!;
    expect(history.nodes.find((node) => node.id === 'order:quiet')?.state).toBe('filled');
    expect(bridge.actorLog('order:quiet')).toEqual([]);
  });

  it('detaching really removes the XState observer: a probe observer counts events, the bridge adds none', () => {
    let probe = 0;
    const probeSubscription = engine.portfolio.system.inspect(() => probe++);
    const connection = bridge.connect(new CollectingClient());
    connection.close();
    placeAndFill('after-detach', ['1']);
    bridge.flush();
    expect(probe).toBeGreaterThan(0);
    expect(bridge.lastSequence).toBe(0);
    probeSubscription.unsubscribe();
  });

  it('builds the tree: portfolio, venue, positions and their orders, plain orders under the portfolio', () => {
    // A plain order's fill opens a position (netting); closing it sends an exit order that names the position.
    placeAndFill('plain', ['0.4']);
    const [opened] = engine.listPositions();
    const positionId = opened!.positionId;
    engine.closePosition(positionId);
    const exit = engine.listOrders({ parentId: positionId })[0]!;
    const client = new CollectingClient();
    bridge.connect(client);
    const { nodes } = client.messages[0] as SnapshotMessage;
    const byId = new Map(nodes.map((node) => [node.id, node]));
    expect(byId.get('portfolio')).toMatchObject({ kind: 'portfolio', state: 'active', machine: 'portfolio' });
    expect(byId.get('venue:manual')).toMatchObject({ kind: 'venue', parent: 'portfolio', state: 'connected' });
    expect(byId.get('order:plain')).toMatchObject({ kind: 'order', parent: 'portfolio', state: 'partial', symbol: 'BTC/USDT', side: 'buy', quantity: '1', filled: '0.4', live: true });
    const position = byId.get(`position:${positionId}`);
    expect(position).toMatchObject({ kind: 'position', parent: 'portfolio', side: 'long', quantity: '0.4', averagePrice: '49000', state: 'closing', live: true });
    // Realized PnL is after fees: nothing closed yet, less the entry's 0.01 fee.
    expect(position).toMatchObject({ realizedPnl: '-0.01', fees: '0.01' });
    // Marked at the quote mid, 50000: 0.4 x (50000 - 49000).
    expect(position?.unrealizedPnl).toBe('400');
    expect(byId.get(`order:${exit.orderId}`)).toMatchObject({ parent: `position:${positionId}`, side: 'sell', quantity: '0.4', state: 'submitted', live: true });
  });

  it('coalesces: one batch per flush with the latest node per actor and every log entry, numbered without gaps', () => {
    const client = new CollectingClient();
    bridge.connect(client);
    placeAndFill('c1', ['0.25', '0.25', '0.5']);
    bridge.flush();
    const batches = client.batches();
    expect(batches).toHaveLength(1);
    const batch = batches[0]!;
    const orderNodes = batch.nodes.filter((node) => node.id === 'order:c1');
    expect(orderNodes).toHaveLength(1);
    expect(orderNodes[0]).toMatchObject({ state: 'filled', filled: '1', live: false });
    const sequences = batch.entries.map((entry) => entry.sequence);
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    expect(batch.sequence).toBe(sequences.at(-1));
    const orderLog = batch.entries.filter((entry) => entry.actorId === 'order:c1');
    expect(orderLog.filter((entry) => entry.kind === 'received').map((entry) => [entry.eventType, entry.state])).toEqual([
      ['xstate.init', 'pending'],
      ['submit', 'submitted'],
      ['venue.accepted', 'open'],
      ['venue.filled', 'partial'],
      ['venue.filled', 'partial'],
      ['venue.filled', 'filled'],
    ]);
    expect(orderLog.filter((entry) => entry.kind === 'emitted').map((entry) => entry.eventType)).toEqual([
      'OrderInitialized', 'OrderSubmitted', 'OrderAccepted', 'OrderFilled', 'OrderFilled', 'OrderFilled',
    ]);
    // What an event made the actor announce follows it, with the state it led to.
    expect(orderLog.slice(0, 4).map((entry) => [entry.kind, entry.eventType, entry.state])).toEqual([
      ['received', 'xstate.init', 'pending'], ['emitted', 'OrderInitialized', 'pending'], ['received', 'submit', 'submitted'], ['emitted', 'OrderSubmitted', 'submitted'],
    ]);
    const accepted = orderLog.find((entry) => entry.eventType === 'venue.accepted')!;
    expect(accepted.previousState).toBe('submitted');
    // Time travel: the entry keeps the context the actor had right after it.
    const firstFill = orderLog.find((entry) => entry.eventType === 'venue.filled')!;
    const detail = bridge.entry(firstFill.sequence)!;
    expect(detail.snapshot?.value).toBe('partial');
    expect((detail.snapshot?.context as { filledQuantity: string }).filledQuantity).toBe('0.25');
    // Nothing new: no empty batch is sent.
    bridge.flush();
    expect(client.batches()).toHaveLength(1);
  });

  it('sends a client that watches one actor every node change but only that actor\'s log, its kept entries first', () => {
    const everything = new CollectingClient();
    bridge.connect(everything);
    const page = new CollectingClient();
    const connection = bridge.connect(page, { watch: [] });
    placeAndFill('w1', ['0.5']);
    placeAndFill('w2', ['1']);
    bridge.flush();
    const [quiet] = page.batches();
    expect(quiet!.entries).toEqual([]);
    // Every state change still reaches it, coalesced: the same nodes as a client that takes every entry.
    expect(quiet!.nodes).toEqual(everything.batches()[0]!.nodes);
    expect(quiet!.sequence).toBe(bridge.lastSequence);

    // Watching w1: what was kept of w1 comes at once, then w1's new entries and no one else's.
    connection.watch(['order:w1']);
    const kept = page.batches()[1]!;
    expect(kept.entries.map((entry) => entry.sequence)).toEqual(bridge.actorLog('order:w1').map((entry) => entry.sequence));
    expect(kept.entries.length).toBeGreaterThan(0);
    venue.report({ type: 'filled', clientOrderId: 'w1', tradeId: 'w1-last', quantity: '0.5', price: '49000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    placeAndFill('w3', ['1']);
    bridge.flush();
    const live = page.batches()[2]!;
    expect(new Set(live.entries.map((entry) => entry.actorId))).toEqual(new Set(['order:w1']));
    expect(live.entries.map((entry) => entry.eventType)).toContain('venue.filled');
    expect(live.nodes.map((node) => node.id)).toEqual(expect.arrayContaining(['order:w1', 'order:w3']));
    // With the kept entries and the live ones, the page's log equals the bridge's: no gap, none twice.
    const shown = [...kept.entries, ...live.entries].map((entry) => entry.sequence);
    expect(shown).toEqual(bridge.actorLog('order:w1').map((entry) => entry.sequence));

    // Watching nothing again: no entries; undefined: every entry, as before.
    connection.watch([]);
    placeAndFill('w4', ['1']);
    bridge.flush();
    expect(page.batches()[3]!.entries).toEqual([]);
    connection.watch(undefined);
    placeAndFill('w5', ['1']);
    bridge.flush();
    expect(page.batches().at(-1)!.entries.map((entry) => entry.sequence)).toEqual(everything.batches().at(-1)!.entries.map((entry) => entry.sequence));
  });

  it('tells a client that fell too far behind to re-sync, drops its queue, and never holds up the engine', () => {
    bridge = new InspectorBridge(engine, { flushIntervalMs: 60_000, maxBufferedBytes: 1000 });
    const slow = new CollectingClient();
    const healthy = new CollectingClient();
    bridge.connect(slow);
    bridge.connect(healthy);
    slow.backlog = 5000;
    placeAndFill('s1', ['1']);
    bridge.flush();
    placeAndFill('s2', ['1']);
    bridge.flush();
    expect(slow.batches()).toHaveLength(0);
    expect(healthy.batches()).toHaveLength(2);
    slow.backlog = 0;
    bridge.flush();
    const [resync, snapshot] = slow.messages.slice(1);
    expect(resync).toMatchObject({ type: 'resync' });
    expect(snapshot).toMatchObject({ type: 'snapshot', sequence: bridge.lastSequence });
    const history = bridge.historyPage((snapshot as SnapshotMessage).history.epoch, (snapshot as SnapshotMessage).history.count, 0, 10)!;
    expect(history.nodes.find((node) => node.id === 'order:s2')?.state).toBe('filled');
  });

  it('resumes a reconnecting client after its last sequence with every entry it missed, none twice', () => {
    const keeper = bridge.connect(new CollectingClient());
    const first = new CollectingClient();
    const connection = bridge.connect(first);
    placeAndFill('r1', ['0.5']);
    bridge.flush();
    const seen = first.batches().at(-1)!.sequence;
    connection.close();
    placeAndFill('r2', ['1']);
    venue.report({ type: 'filled', clientOrderId: 'r1', tradeId: 'r1-late', quantity: '0.5', price: '49000', fee: '0', feeCurrency: 'USDT', liquidity: 'maker' });
    const again = new CollectingClient();
    bridge.connect(again, { resume: { session: bridge.session, after: seen } });
    expect(again.messages).toHaveLength(1);
    const resumed = again.messages[0] as BatchMessage;
    expect(resumed.type).toBe('batch');
    expect(resumed.entries[0]!.sequence).toBe(seen + 1);
    expect(resumed.sequence).toBe(bridge.lastSequence);
    expect(resumed.entries.map((entry) => entry.sequence)).toEqual(Array.from({ length: bridge.lastSequence - seen }, (_, index) => seen + 1 + index));
    expect(resumed.nodes.find((node) => node.id === 'order:r1')?.state).toBe('filled');
    expect(resumed.nodes.find((node) => node.id === 'order:r2')?.state).toBe('filled');
    // Another session's sequence, or one no longer kept, gets a snapshot instead.
    const stranger = new CollectingClient();
    bridge.connect(stranger, { resume: { session: 'another-daemon', after: seen } });
    expect(stranger.messages[0]?.type).toBe('snapshot');
    keeper.close();
  });

  it('reads an actor\'s history from before the page attached back from the journal', () => {
    placeAndFill('old', ['0.5', '0.5']);
    bridge.connect(new CollectingClient());
    const history = bridge.journal('order:old');
    expect(history.map((entry) => [entry.eventType, entry.state])).toEqual([
      ['OrderInitialized', 'pending'], ['OrderSubmitted', 'submitted'], ['OrderAccepted', 'open'], ['OrderFilled', 'partial'], ['OrderFilled', 'filled'],
    ]);
    expect(history.every((entry) => entry.source === 'journal')).toBe(true);
    expect((history[3]!.snapshot!.context as { filledQuantity: string }).filledQuantity).toBe('0.5');
  });
});
