// Shared by the crash tests: child processes with their output lines, a seeded random source, the paper venue
// server's own record (its "truth"), and the comparison of a fillstate SQLite file with that record.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { WebSocketVenue, type VenueAdminState } from '../../adapters/websocket-venue/index.ts';
import { decimal } from '../../src/domain/decimal.ts';
import type { Store } from '../../src/store/index.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Line = Record<string, unknown>;

export interface Child {
  readonly child: ChildProcessWithoutNullStreams;
  /** JSON lines printed so far. */
  readonly lines: Line[];
  /** Resolves with the first output line (JSON or text) the predicate accepts; rejects if the process exits first. */
  next(predicate: (line: Line, text: string) => boolean): Promise<Line>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Runs a TypeScript entry with tsx, as its own process, in the repository root. */
export function startProcess(script: string, args: readonly string[], env: Record<string, string>, options: { typeScript?: boolean } = {}): Child {
  // A prebuilt JavaScript file (typeScript: false) runs under plain Node, without the TypeScript loader.
  const loader = options.typeScript === false ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, ...args], { cwd: root, env: { ...process.env, ...env } });
  const lines: Line[] = [];
  const texts: Array<{ line: Line; text: string }> = [];
  const waiters: Array<{ predicate: (line: Line, text: string) => boolean; resolve: (line: Line) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
      lines.push(line);
    } catch {
      // A plain text line (the daemon's "listening on" line): offered to waiters as { text }.
      line = { text };
    }
    texts.push({ line, text });
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line, text)) {
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
    stderr: () => stderr,
    next: (predicate) => {
      const seen = texts.find(({ line, text }) => predicate(line, text));
      if (seen !== undefined) return Promise.resolve(seen.line);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) => reject(new Error(`${script} exited (${code}) before the expected line; stderr: ${stderr}`)));
      });
    },
  };
}

/** A small seeded generator, so a failing run can be repeated from the seed it reports. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function startVenueServer(token: string): Promise<{ server: Child; url: string }> {
  const server = startProcess('adapters/paper-server/main.ts', ['--port', '0', '--seed', '11', '--interval-ms', '10', '--heartbeat-ms', '1000'], { FILLSTATE_PAPER_VENUE_TOKEN: token });
  const url = (await server.next((line) => typeof line.url === 'string')).url as string;
  return { server, url };
}

export async function stopProcess(child: Child | undefined): Promise<void> {
  if (child === undefined || child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGTERM');
  await child.exited;
}

/** The venue server's whole record: every order, fill, balance and submit count. */
export async function venueTruth(url: string, token: string): Promise<VenueAdminState> {
  const client = new WebSocketVenue({ id: 'paper', url, token });
  await client.connect();
  try {
    return await client.adminState();
  } finally {
    await client.disconnect();
  }
}

/**
 * What an uninterrupted run leaves, checked against the venue's record: every workload order on file; none
 * sent twice; each order the venue has, with its status and filled quantity; those it never saw marked so;
 * its fills exactly, each once; balances and the net position to the unit; a gapless journal.
 */
export function expectStoreEqualsVenue(store: Store, truth: VenueAdminState, workload: readonly string[], startingBase: string, context: string): void {
  const orders = new Map(store.orders().map((order) => [order.clientOrderId, order]));
  for (const clientOrderId of workload) expect(orders.has(clientOrderId), `${clientOrderId} on file (${context})`).toBe(true);

  expect(truth.duplicateSubmits, context).toBe(0);
  for (const [clientOrderId, count] of Object.entries(truth.submitCounts)) expect(count, `${clientOrderId} submits (${context})`).toBe(1);

  for (const venueOrder of truth.orders) {
    const ours = orders.get(venueOrder.clientOrderId);
    expect(ours, `${venueOrder.clientOrderId} (${context})`).toBeDefined();
    expect({ status: ours!.status, filled: decimal(ours!.filledQuantity).toFixed() }, `${venueOrder.clientOrderId} (${context})`).toEqual({
      status: venueOrder.status,
      filled: decimal(venueOrder.filledQuantity).toFixed(),
    });
  }
  const atVenue = new Set(truth.orders.map((order) => order.clientOrderId));
  for (const order of orders.values()) {
    if (!atVenue.has(order.clientOrderId)) expect(order, context).toMatchObject({ status: 'canceled', flags: ['unknownAtVenue'] });
  }

  const fill = (f: { tradeId: string; clientOrderId: string; quantity: string; price: string; fee: string }) =>
    `${f.tradeId}|${f.clientOrderId}|${decimal(f.quantity).toFixed()}|${decimal(f.price).toFixed()}|${decimal(f.fee).toFixed()}`;
  expect(store.fills().map(fill).sort(), context).toEqual(truth.fills.map(fill).sort());
  expect(store.stats().duplicateFillsRefused).toBe(0);
  expect(truth.fills.length, context).toBeGreaterThan(0);

  const venueBalances = Object.fromEntries(truth.balances.map((balance) => [balance.currency, decimal(balance.total).toFixed()]));
  const ourBalances = Object.fromEntries(store.balances().map((balance) => [balance.currency, decimal(balance.total).toFixed()]));
  expect(ourBalances, context).toEqual(venueBalances);
  const net = store.positions()
    .filter((position) => position.status !== 'closed')
    .reduce((sum, position) => (position.direction === 'long' ? sum.plus(position.quantity) : sum.minus(position.quantity)), decimal('0'));
  expect(net.toFixed(), context).toBe(decimal(venueBalances.BTC!).minus(startingBase).toFixed());

  expect(store.journalGaps(), context).toEqual([]);
  const filledEvents = store.eventsSince(0, 1_000_000).filter((event) => event.type === 'OrderFilled');
  expect(filledEvents.length, context).toBe(truth.fills.length);
  expect(new Set(filledEvents.map((event) => (event as { tradeId: string }).tradeId)).size, context).toBe(filledEvents.length);
}
