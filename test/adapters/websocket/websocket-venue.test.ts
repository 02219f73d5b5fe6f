// The WebSocket venue client against a real paper venue server on 127.0.0.1: resumed reports after a dropped
// link, a silently dead stream caught by heartbeats, in-flight commands reconciled (never blindly resent),
// queued commands, refused tokens and duplicates counted by the venue.
import { describe, expect, it } from 'vitest';
import { createClient, limitBuy, marketBuy, missHeartbeats, quote, reconnectUntil, startServer, trade, waitFor } from './fixture.ts';

describe('WebSocketVenue', () => {
  it('learns the venue at connect: capabilities, instruments with decimal grids, balances', async () => {
    const server = await startServer();
    const { venue } = createClient(server);
    expect(() => venue.instruments()).toThrow('instruments are known once connect() has resolved');
    await venue.connect();
    expect(venue.connectionState()).toBe('live');
    expect(venue.capabilities).toEqual(server.host.venue.capabilities);
    const [instrument] = venue.instruments();
    expect(instrument?.symbol).toBe('BTC/USDT');
    expect(instrument?.tickSize.toFixed()).toBe('0.1');
    expect(await venue.balances()).toEqual([
      { currency: 'USDT', total: '100000', reserved: '0' },
      { currency: 'BTC', total: '10', reserved: '0' },
    ]);
  });

  it('streams market data with exact decimals', async () => {
    const server = await startServer();
    const { venue } = createClient(server);
    await venue.connect();
    const seen: string[] = [];
    venue.subscribeMarketData(['BTC/USDT'], (data) => {
      if (data.type === 'quote') seen.push(`${data.bids[0]!.price.toFixed()}/${data.asks[0]!.price.toFixed()}`);
    });
    // The subscription travels to the server; keep publishing until one arrives.
    await waitFor(() => {
      server.host.publish(quote('50000.1', '50000.2'));
      return seen.length > 0;
    }, 'a quote');
    expect(seen[0]).toBe('50000.1/50000.2');
  });

  it('delivers every report missed while the link was down, exactly once and in order', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    venue.submit(limitBuy('a', '49990'));
    venue.submit(limitBuy('b', '49980'));
    venue.submit(limitBuy('c', '49970'));
    await waitFor(() => probe.reports.length === 3, 'three acceptances');

    // The venue becomes unreachable and the link is cut; the orders fill while the client is away.
    server.setAccepting(false);
    server.dropConnections();
    await waitFor(() => venue.connectionState() !== 'live', 'the client to notice the drop');
    server.host.publish(trade('49970', '0.03', 'sell'));
    await waitFor(() => server.host.lastSequence === 6, 'three fills at the venue');
    expect(probe.reports).toHaveLength(3);

    server.setAccepting(true);
    await reconnectUntil(probe, () => probe.reports.length === 6 && venue.connectionState() === 'live', 'the missed fills');
    const logged = server.host.reportsAfter(0).map((entry) => entry.report);
    expect(probe.reports).toEqual(logged);
    expect(probe.reports.slice(3).map((report) => `${report.type} ${report.clientOrderId}`)).toEqual(['filled a', 'filled b', 'filled c']);
    // They came as the resumed backlog, before the link was declared live again.
    expect(probe.deliveredIn.slice(3)).toEqual(['syncing', 'syncing', 'syncing']);
    expect(probe.states).toContain('reconnecting');
    expect(venue.lastReportSequence()).toBe(6);
    // What recovery asks after a restart: the fills of one order, and every fill after a report sequence.
    const fillOfA = probe.reports[3]!;
    expect(await venue.orderFills('a')).toEqual([
      { clientOrderId: 'a', tradeId: fillOfA.type === 'filled' && fillOfA.tradeId, quantity: '0.01', price: '49990', fee: '0.4999', feeCurrency: 'USDT', liquidity: 'maker', timestamp: fillOfA.timestamp },
    ]);
    expect((await venue.fillsSince(4)).map((fill) => [fill.sequence, fill.clientOrderId])).toEqual([[5, 'b'], [6, 'c']]);

    // And the stream goes on live afterwards, with nothing repeated.
    venue.cancel('a');
    await waitFor(() => probe.reports.length === 7, 'the cancel answer');
    expect(probe.reports[6]).toMatchObject({ type: 'cancelRejected', clientOrderId: 'a', reason: 'order is already filled' });
    expect(new Set(probe.reports).size).toBe(7);
  });

  it('detects a server that stops answering but keeps the socket open, and reconnects', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    expect(server.silenceConnections()).toBe(1);

    await missHeartbeats(probe);
    await reconnectUntil(probe, () => venue.connectionState() === 'live', 'a reconnect after silence');
    expect(probe.states.slice(0, 6)).toEqual(['connecting', 'syncing', 'live', 'reconnecting', 'connecting', 'syncing']);
    expect(venue.connectionStatus().lastError).toBe('heartbeats missed: the stream went silent');
    // The silent connection was fenced off by the new one of the same session.
    await waitFor(() => server.connectionCount() === 1, 'the stale connection to go');

    server.host.publish(quote('49999.9', '50000.1'));
    venue.submit(marketBuy('after-silence'));
    await waitFor(() => probe.reports.some((report) => report.type === 'filled'), 'a fill on the new link');
  });

  it('queries, never resends, a submit whose acknowledgement was lost: the venue sees it once', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    server.silenceAfterNextCommand();
    venue.submit(marketBuy('in-flight'));

    await missHeartbeats(probe);
    await reconnectUntil(probe, () => venue.connectionState() === 'live', 'the reconnect');
    await waitFor(() => probe.reports.length === 2, 'the outcome, resumed');
    expect(probe.reports.map((report) => report.type)).toEqual(['accepted', 'filled']);
    const truth = await venue.adminState();
    expect(truth.submitCounts).toEqual({ 'in-flight': 1 });
    expect(truth.duplicateSubmits).toBe(0);
    expect(truth.orders).toEqual([expect.objectContaining({ clientOrderId: 'in-flight', status: 'filled', filledQuantity: '0.01' })]);
    expect(venue.pendingCommandCount()).toBe(0);
  });

  it('reconciles an amend and a cancel whose acknowledgements were lost: each carried out once', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    venue.submit(limitBuy('amended', '49000'));
    venue.submit(limitBuy('canceled', '49000'));
    await waitFor(() => probe.reports.length === 2, 'both acceptances');

    server.silenceAfterNextCommand();
    venue.amend('amended', { price: '49100' });
    await missHeartbeats(probe);
    await reconnectUntil(probe, () => venue.connectionState() === 'live', 'the first reconnect');
    server.silenceAfterNextCommand();
    venue.cancel('canceled');
    await missHeartbeats(probe);
    await reconnectUntil(probe, () => venue.connectionState() === 'live', 'the second reconnect');
    expect(probe.states.filter((state) => state === 'live')).toHaveLength(3);
    await waitFor(() => probe.reports.length === 4, 'both outcomes');

    expect(probe.reports.slice(2).map((report) => `${report.type} ${report.clientOrderId}`)).toEqual(['amended amended', 'canceled canceled']);
    const truth = await venue.adminState();
    expect(truth.orders).toEqual([
      expect.objectContaining({ clientOrderId: 'amended', status: 'open', price: '49100' }),
      expect.objectContaining({ clientOrderId: 'canceled', status: 'canceled' }),
    ]);
    expect(venue.pendingCommandCount()).toBe(0);
  });

  it('resends an amend the venue never received, once the order shows it unanswered', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    venue.submit(limitBuy('repriced', '49000'));
    await waitFor(() => probe.reports.length === 1, 'the acceptance');
    server.silenceConnections();
    venue.amend('repriced', { price: '49200' });
    await missHeartbeats(probe);
    await reconnectUntil(probe, () => probe.reports.length === 2, 'the amendment after the reconnect');
    expect(probe.reports[1]).toMatchObject({ type: 'amended', clientOrderId: 'repriced', price: '49200' });
    expect(await venue.queryOrder('repriced')).toMatchObject({ status: 'open', price: '49200' });
  });

  it('sends a submit the venue never received once the status query shows it is unknown there', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    server.silenceConnections();
    venue.submit(marketBuy('lost-on-the-way'));

    await missHeartbeats(probe);
    await reconnectUntil(probe, () => probe.reports.length === 2, 'the order to be placed after the reconnect');
    expect(probe.reports.map((report) => report.type)).toEqual(['accepted', 'filled']);
    expect((await venue.adminState()).submitCounts).toEqual({ 'lost-on-the-way': 1 });
  });

  it('queues commands given while the link is down and sends them once resynced', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    server.setAccepting(false);
    server.dropConnections();
    await waitFor(() => venue.connectionState() === 'reconnecting', 'the drop');
    venue.submit(limitBuy('queued', '49000'));
    venue.cancel('queued');
    expect(venue.pendingCommandCount()).toBe(2);
    const balances = venue.balances();

    server.setAccepting(true);
    await reconnectUntil(probe, () => probe.reports.length === 2, 'the queued commands');
    expect(probe.reports.map((report) => `${report.type} ${report.clientOrderId}`)).toEqual(['accepted queued', 'canceled queued']);
    expect(await balances).toContainEqual({ currency: 'USDT', total: '100000', reserved: '0' });
    expect((await venue.adminState()).submitCounts).toEqual({ queued: 1 });
  });

  it('refuses a wrong token at the upgrade and goes down without retrying', async () => {
    const server = await startServer();
    const probe = createClient(server, { token: 'wrong-token-000000' });
    await expect(probe.venue.connect()).rejects.toThrow(`venue paper is down: venue server ${server.url} refused the token (HTTP 401)`);
    expect(probe.states).toEqual(['connecting', 'down']);
    expect(server.connectionCount()).toBe(0);
    await expect(probe.venue.balances()).rejects.toThrow('venue paper is down');
  });

  it('refuses a server that is a different venue', async () => {
    const server = await startServer({ id: 'other' });
    const probe = createClient(server);
    await expect(probe.venue.connect()).rejects.toThrow(`the server at ${server.url} is venue "other", not "paper"`);
    expect(probe.venue.connectionState()).toBe('down');
  });

  it('refuses to resume after a sequence the venue never had (a restarted venue lost its reports)', async () => {
    const server = await startServer();
    const probe = createClient(server, { resumeAfterSequence: 42 });
    await expect(probe.venue.connect()).rejects.toThrow("cannot resume after report 42: this venue's log ends at 0");
  });

  it('counts a duplicate clientOrderId and refuses it without touching the original order', async () => {
    const server = await startServer();
    const probe = createClient(server);
    const { venue } = probe;
    await venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    venue.submit(limitBuy('twice', '49000'));
    venue.submit(limitBuy('twice', '49500'));
    await waitFor(() => probe.reports.length === 2, 'both answers');
    expect(probe.reports[1]).toMatchObject({ type: 'rejected', clientOrderId: 'twice', reason: 'duplicate clientOrderId' });
    const truth = await venue.adminState();
    expect(truth.submitCounts).toEqual({ twice: 2 });
    expect(truth.duplicateSubmits).toBe(1);
    expect(truth.orders).toEqual([expect.objectContaining({ clientOrderId: 'twice', status: 'open', price: '49000' })]);
    expect(await venue.openOrders()).toHaveLength(1);
  });

  it('gives up after the configured number of failed attempts, and connect() brings it back', async () => {
    const server = await startServer();
    const probe = createClient(server, { maxReconnectAttempts: 3 });
    const { venue } = probe;
    await venue.connect();
    server.setAccepting(false);
    server.dropConnections();
    await reconnectUntil(probe, () => venue.connectionState() === 'down', 'the connection to give up');
    expect(venue.connectionStatus()).toMatchObject({ state: 'down', failedAttempts: 3, lastError: 'venue server answered HTTP 503 to the upgrade' });
    expect(probe.states.filter((state) => state === 'connecting')).toHaveLength(4);

    server.setAccepting(true);
    await venue.connect();
    expect(venue.connectionState()).toBe('live');
  });

  it('turns a command the server refuses to read into a definite refusal of that command', async () => {
    const server = await startServer();
    const probe = createClient(server);
    await probe.venue.connect();
    const tooLong = 'x'.repeat(200);
    probe.venue.submit(limitBuy(tooLong, '49000'));
    await waitFor(() => probe.reports.length === 1, 'the refusal');
    expect(probe.reports[0]).toMatchObject({
      type: 'rejected',
      clientOrderId: tooLong,
      reason: expect.stringMatching(/^venue server refused the submit: invalid order\.clientOrderId: /),
    });
    expect((await probe.venue.adminState()).submitCounts).toEqual({});
    expect(probe.venue.pendingCommandCount()).toBe(0);
  });

  it('a new client resumes where a previous one stopped, given the stored sequence and venue instance', async () => {
    const server = await startServer();
    const first = createClient(server);
    await first.venue.connect();
    server.host.publish(quote('49999.9', '50000.1'));
    first.venue.submit(limitBuy('kept', '49990'));
    await waitFor(() => first.reports.length === 1, 'the acceptance');
    const stored = { sequence: first.venue.lastReportSequence()!, instance: first.venue.venueInstance()! };
    expect(stored).toEqual({ sequence: 1, instance: server.instance });
    await first.venue.disconnect();

    // While no client is connected, the order fills.
    server.host.publish(trade('49990', '0.01', 'sell'));
    await waitFor(() => server.host.lastSequence === 2, 'the fill at the venue');

    const second = createClient(server, { resumeAfterSequence: stored.sequence, venueInstance: stored.instance });
    await second.venue.connect();
    expect(second.reports).toEqual([server.host.reportsAfter(1)[0]!.report]);
    expect(second.reports[0]).toMatchObject({ type: 'filled', clientOrderId: 'kept' });
  });

  it('refuses to resume from a venue server that restarted and lost what the client knew', async () => {
    const server = await startServer();
    const probe = createClient(server, { maxReconnectAttempts: 50 });
    await probe.venue.connect();
    const port = server.port;
    await server.close();
    const restarted = await startServer({ port });
    await reconnectUntil(probe, () => probe.venue.connectionState() === 'down', 'the client to refuse the new instance');
    expect(probe.venue.connectionStatus().lastError).toBe(
      `venue paper restarted (instance ${restarted.instance}, was ${server.instance}): its orders and reports are not the ones this client knew`,
    );
  });
});
