// THE crash test: the engine process (store + WebSocket venue client, test/recovery/crash-child.ts) is killed
// with SIGKILL at random points while it places orders that fill on a paper venue server running in its own
// process, restarted, many times; then it finishes cleanly. Its SQLite file must then equal the venue's own
// record: no order sent twice, no fill counted twice, no journal gap, balances and positions to the unit.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketVenue, type VenueAdminState } from '../../adapters/websocket-venue/index.ts';
import { decimal } from '../../src/domain/decimal.ts';
import { openStore } from '../../src/store/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KILLS = 12;
const ORDERS = 120;
const token = randomBytes(16).toString('hex');
let directory: string;
let venueServer: ChildProcessWithoutNullStreams;
let venueUrl: string;

type Line = Record<string, unknown>;

function start(script: string, args: string[], env: Record<string, string>): { child: ChildProcessWithoutNullStreams; lines: Line[]; next(predicate: (line: Line) => boolean): Promise<Line>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { ...process.env, ...env, FILLSTATE_PAPER_VENUE_TOKEN: token } });
  const lines: Line[] = [];
  const waiters: Array<{ predicate: (line: Line) => boolean; resolve: (line: Line) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    next: (predicate) => {
      const seen = lines.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) => reject(new Error(`${script} exited (${code}) before the expected line; stderr: ${stderr}`)));
      });
    },
  };
}

/** A small seeded generator, so a failing run can be repeated from the seed it prints. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-crash-'));
  const server = start('adapters/paper-server/main.ts', ['--port', '0', '--seed', '11', '--interval-ms', '10', '--heartbeat-ms', '1000'], {});
  venueServer = server.child;
  venueUrl = (await server.next((line) => typeof line.url === 'string')).url as string;
});

afterAll(async () => {
  if (venueServer !== undefined && venueServer.exitCode === null) {
    venueServer.kill('SIGTERM');
    await new Promise((resolve) => venueServer.once('exit', resolve));
  }
  rmSync(directory, { recursive: true, force: true });
});

async function venueTruth(): Promise<VenueAdminState> {
  const client = new WebSocketVenue({ id: 'paper', url: venueUrl, token });
  await client.connect();
  try {
    return await client.adminState();
  } finally {
    await client.disconnect();
  }
}

describe('crash test: SIGKILL at random points, restart, compare with the venue', () => {
  it(`survives ${KILLS} kills with nothing lost, nothing sent twice, nothing counted twice`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    const path = join(directory, 'fillstate.db');
    const env = { CRASH_DB: path, CRASH_VENUE_URL: venueUrl, CRASH_ORDERS: String(ORDERS) };
    let submittedBeforeKills = 0;
    const recoveries: Line[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const run = start('test/recovery/crash-child.ts', [], env);
      recoveries.push(await run.next((line) => line.ready === true));
      // Somewhere in the workload: right after recovery, mid-burst, or while fills come in.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(next() * 350)));
      run.child.kill('SIGKILL');
      expect(await run.exited, `seed ${seed}`).toBe(null);
      submittedBeforeKills += run.lines.filter((line) => typeof line.submitted === 'string').length;
    }
    const last = start('test/recovery/crash-child.ts', [], { ...env, CRASH_FINISH: '1' });
    recoveries.push(await last.next((line) => line.ready === true));
    const done = await last.next((line) => line.done === true);
    expect(await last.exited).toBe(0);
    expect(done.left, `seed ${seed}`).toEqual([]);
    // The kills landed while orders were being placed, not only before the first one.
    expect(submittedBeforeKills, `seed ${seed}`).toBeGreaterThan(0);
    if (process.env.CRASH_VERBOSE) {
      // What each start found: restored orders, and the reconciliation's counts.
      const summary = recoveries.map((line) => {
        const recovery = line.recovery as { restoredOrders: number; venues: Array<{ checked: number; adopted: string[]; unknownAtVenue: string[]; fillsApplied: number }> };
        const venue = recovery.venues[0]!;
        return { restored: recovery.restoredOrders, checked: venue.checked, adopted: venue.adopted.length, unknownAtVenue: venue.unknownAtVenue.length, fillsApplied: venue.fillsApplied };
      });
      console.log(JSON.stringify({ seed, submittedBeforeKills, summary }));
    }

    const truth = await venueTruth();
    const store = openStore({ path });
    try {
      const orders = new Map(store.orders().map((order) => [order.clientOrderId, order]));
      // Every order of the workload is on record: none lost, whatever the kill interrupted.
      for (let index = 0; index < ORDERS; index++) expect(orders.has(`w${index}`), `w${index} (seed ${seed})`).toBe(true);

      // No order sent twice: the venue saw each clientOrderId once.
      expect(truth.duplicateSubmits, `seed ${seed}`).toBe(0);
      for (const [clientOrderId, count] of Object.entries(truth.submitCounts)) expect(count, `${clientOrderId} submits (seed ${seed})`).toBe(1);

      // Every order the venue has, we have, in the same state and with the same filled quantity.
      for (const venueOrder of truth.orders) {
        const ours = orders.get(venueOrder.clientOrderId);
        expect(ours, `${venueOrder.clientOrderId} (seed ${seed})`).toBeDefined();
        expect({ status: ours!.status, filled: decimal(ours!.filledQuantity).toFixed() }, `${venueOrder.clientOrderId} (seed ${seed})`).toEqual({
          status: venueOrder.status,
          filled: decimal(venueOrder.filledQuantity).toFixed(),
        });
      }
      // Orders the venue never saw were marked so (sent, then the process died before they left), never resent.
      const atVenue = new Set(truth.orders.map((order) => order.clientOrderId));
      for (const order of orders.values()) {
        if (!atVenue.has(order.clientOrderId)) expect(order, `seed ${seed}`).toMatchObject({ status: 'canceled', flags: ['unknownAtVenue'] });
      }

      // Fills: exactly the venue's, each once.
      const fill = (f: { tradeId: string; clientOrderId: string; quantity: string; price: string; fee: string }) =>
        `${f.tradeId}|${f.clientOrderId}|${decimal(f.quantity).toFixed()}|${decimal(f.price).toFixed()}|${decimal(f.fee).toFixed()}`;
      expect(store.fills().map(fill).sort(), `seed ${seed}`).toEqual(truth.fills.map(fill).sort());
      expect(store.stats().duplicateFillsRefused).toBe(0);
      expect(truth.fills.length, `seed ${seed}`).toBeGreaterThan(0);

      // Balances to the unit, and the position equal to the base currency bought less sold.
      const venueBalances = Object.fromEntries(truth.balances.map((balance) => [balance.currency, decimal(balance.total).toFixed()]));
      const ourBalances = Object.fromEntries(store.balances().map((balance) => [balance.currency, decimal(balance.total).toFixed()]));
      expect(ourBalances, `seed ${seed}`).toEqual(venueBalances);
      const net = store.positions()
        .filter((position) => position.status !== 'closed')
        .reduce((sum, position) => (position.direction === 'long' ? sum.plus(position.quantity) : sum.minus(position.quantity)), decimal('0'));
      expect(net.toFixed(), `seed ${seed}`).toBe(decimal(venueBalances.BTC!).minus('10').toFixed());

      // The journal: gapless, and every fill in it once.
      expect(store.journalGaps(), `seed ${seed}`).toEqual([]);
      const filledEvents = store.eventsSince(0, 1_000_000).filter((event) => event.type === 'OrderFilled');
      expect(filledEvents.length, `seed ${seed}`).toBe(truth.fills.length);
      expect(new Set(filledEvents.map((event) => (event as { tradeId: string }).tradeId)).size).toBe(filledEvents.length);
    } finally {
      store.close();
    }
  }, 150_000);
});
