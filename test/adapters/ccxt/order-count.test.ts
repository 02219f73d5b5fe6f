// Binance's order-count limits (exchangeInfo ORDERS, X-MBX-ORDER-COUNT-* headers, 429 -1015): a new order the
// exchange would refuse for its count is refused here with the reason and never sent; the exchange's own count
// (other clients of the key) is taken from its headers, and its 429 on order count stops new orders, not reads.
import { afterEach, describe, expect, it } from 'vitest';
import { binanceOrderCountLimits, OrderCountBudget } from '../../../adapters/ccxt/order-count-budget.ts';
import { SimulatedClock } from '../../../src/domain/clock.ts';
import { eventually, limitOrder, reportsOf, startSession, type Session } from './support.ts';

let session: Session | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

// A day's window: a test cannot straddle its boundary in practice (a 10 s window could split a test's orders).
const DAILY = (limit: number) => ({ orderLimits: [{ interval: 'DAY' as const, intervalNum: 1, limit }] });
const placed = (session: Session) => session.simulator.requests.filter((request) => request === 'POST /api/v3/order').length;

describe('order-count limits', () => {
  it("refuses, without sending, the order that would pass the exchange's stated limit; cancels still go", async () => {
    session = await startSession('spot', {}, DAILY(5));
    const { venue, reports } = session;
    for (let index = 0; index < 5; index++) venue.submit(limitOrder(`count-${index}`));
    await eventually(() => [0, 1, 2, 3, 4].every((index) => reportsOf(reports, `count-${index}`).some((report) => report.type === 'accepted')), 'five accepted');
    venue.submit(limitOrder('count-5'));
    await eventually(() => reportsOf(reports, 'count-5').length > 0, 'refused');
    expect(reportsOf(reports, 'count-5')).toEqual([expect.objectContaining({ type: 'rejected', reason: 'not sent: order count limit reached: 5 of 5 orders per 1 d used; not sent' })]);
    expect(placed(session)).toBe(5);
    venue.cancel('count-0');
    await eventually(() => reportsOf(reports, 'count-0').some((report) => report.type === 'canceled'), 'a cancel is no new order');
  });

  it("takes the exchange's count from its headers and honours its 429 on order count: that order not placed, the next not sent, reads go on", async () => {
    session = await startSession('spot', {}, DAILY(10));
    const { venue, simulator, reports } = session;
    venue.submit(limitOrder('mine-1'));
    venue.submit(limitOrder('mine-2'));
    await eventually(() => ['mine-1', 'mine-2'].every((id) => reportsOf(reports, id).some((report) => report.type === 'accepted')), 'two accepted');
    // Another client of the same key places eight: the exchange's count is now at its limit, ours is not.
    simulator.countOrdersFromElsewhere(8);
    venue.submit(limitOrder('mine-3'));
    await eventually(() => reportsOf(reports, 'mine-3').length > 0, 'refused by the exchange');
    expect(reportsOf(reports, 'mine-3')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringMatching(/^rate limited by the exchange, not placed: Too many new orders/) })]);
    expect(simulator.orderByClientId('mine-3')).toBeUndefined();
    const sent = placed(session);
    venue.submit(limitOrder('mine-4'));
    await eventually(() => reportsOf(reports, 'mine-4').length > 0, 'refused here');
    expect(reportsOf(reports, 'mine-4')).toEqual([expect.objectContaining({ type: 'rejected', reason: expect.stringContaining('not sent') })]);
    expect(placed(session)).toBe(sent);
    expect(await venue.queryOrder('mine-1')).toMatchObject({ status: 'open' });
  });

  it("reads Binance's ORDERS limiters and counts in fixed windows of the clock", () => {
    const body = JSON.stringify({
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 2 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
      ],
    });
    const limits = binanceOrderCountLimits(body)!;
    expect(limits.map((limit) => [limit.header, limit.intervalMs, limit.limit])).toEqual([
      ['x-mbx-order-count-10s', 10_000, 2],
      ['x-mbx-order-count-1d', 86_400_000, 200000],
    ]);
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1, 0, 0, 0));
    const budget = new OrderCountBudget(clock);
    budget.setLimits(limits);
    expect(budget.admit()).toBeUndefined();
    expect(budget.admit()).toBeUndefined();
    expect(budget.admit()).toMatch(/2 of 2 orders per 10 s used/);
    clock.advanceBy(10_000);
    expect(budget.admit()).toBeUndefined();
    // The exchange says the day's count is at its limit: refused until the day ends.
    budget.observe((name) => (name === 'x-mbx-order-count-1d' ? '200000' : undefined));
    clock.advanceBy(10_000);
    expect(budget.admit()).toMatch(/200000 of 200000 orders per 1 d/);
    // A 429 on order count with Retry-After: refused until it has passed.
    clock.advanceBy(86_400_000);
    budget.observeRefusal(3, 'too many new orders (429)');
    expect(budget.admit()).toMatch(/the exchange refused new orders/);
    clock.advanceBy(3_000);
    expect(budget.admit()).toBeUndefined();
  });
});
