// The process the crash test kills: engine + SQLite store + WebSocket venue client on the paper venue server,
// driving a fixed workload of orders by clientOrderId. Each start is a recovery; orders already on record are
// not submitted again (as a client retrying by clientOrderId would do). Prints one JSON line per step.
import { pino } from 'pino';
import { WebSocketVenue } from '../../adapters/websocket-venue/index.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { openStore } from '../../src/store/index.ts';

const path = required('CRASH_DB');
const url = required('CRASH_VENUE_URL');
const token = required('FILLSTATE_PAPER_VENUE_TOKEN');
const orders = Number(required('CRASH_ORDERS'));
const finish = process.env.CRASH_FINISH === '1';
const symbol = 'BTC/USDT';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`crash child: ${name} is not set`);
  return value;
}

function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const logger = pino({ level: 'warn', base: { component: 'crash-child' } }, pino.destination({ fd: 2, sync: true }));
const store = openStore({ path, logger });
const venue = new WebSocketVenue({ id: 'paper', url, token, logger, heartbeatIntervalMs: 1_000 });
const engine = createEngine({ venues: [venue], store, logger, clientOrderIdPrefix: `c${process.pid}` });
await engine.start();
say({ ready: true, recovery: engine.recoveryReport() });

while (engine.marketPrice(symbol) === undefined) await sleep(5);

for (let index = 0; index < orders; index++) {
  const clientOrderId = `w${index}`;
  if (engine.getOrder(clientOrderId) === undefined) {
    const market = engine.marketPrice(symbol)!;
    const kind = index % 4;
    const side = kind === 0 || kind === 1 ? 'buy' : 'sell';
    // Limits a little inside the market rest for a while and fill as the synthetic price wanders.
    const price = (side === 'buy' ? market.times('0.99995') : market.times('1.00005')).round(1, 0).toFixed(1);
    const type = kind === 0 || kind === 2 ? 'market' : 'limit';
    engine.submitOrder({ clientOrderId, symbol, side, type, quantity: '0.01', ...(type === 'limit' ? { price } : {}) });
    say({ submitted: clientOrderId });
    await sleep(12);
  }
  if (index % 5 === 4) {
    const target = `w${index - 3}`;
    const view = engine.getOrder(target);
    if (view !== undefined && view.live && view.status !== 'pendingCancel') {
      try {
        engine.cancelOrder(target);
      } catch (error) {
        say({ cancelRefused: target, reason: (error as Error).message });
      }
    }
  }
}

if (finish) {
  // Leave nothing working, so the venue's record stops changing once this process is gone.
  for (let attempt = 0; attempt < 400; attempt++) {
    const live = engine.listOrders({ live: true });
    if (live.length === 0) break;
    for (const view of live) {
      if (view.status === 'open' || view.status === 'partial') engine.cancelOrder(view.orderId);
    }
    await sleep(25);
  }
  await sleep(50);
  const left = engine.listOrders({ live: true }).map((view) => `${view.orderId}:${view.status}`);
  await engine.stop();
  store.close();
  say({ done: true, left });
  process.exit(0);
} else {
  say({ idle: true });
  setInterval(() => {}, 1_000);
}
