// The paper venue server on its own: run as a child process from its CLI, the protocol's refusals of bad
// input (which change nothing), token checks, and cutting off clients that stop answering heartbeats.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type ServerMessage } from '../../../adapters/websocket-venue/protocol.ts';
import { VenueHost } from '../../../adapters/paper-server/index.ts';
import type { ExecutionReport } from '../../../adapters/venue.ts';
import { SystemClock } from '../../../src/domain/clock.ts';
import { TOKEN, createClient, marketBuy, onCleanup, quote, reconnectUntil, startServer, waitFor } from './fixture.ts';

/** Wall time that has moved on by the next read, as it does on a busy machine: every read is 1 ms later. */
class MovingClock extends SystemClock {
  private reads = 0;
  override now(): number {
    return super.now() + this.reads++;
  }
}

const MAIN = fileURLToPath(new URL('../../../adapters/paper-server/main.ts', import.meta.url));

function runServerProcess(args: readonly string[], token: string | undefined): ChildProcessWithoutNullStreams {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment.FILLSTATE_PAPER_VENUE_TOKEN;
  if (token !== undefined) environment.FILLSTATE_PAPER_VENUE_TOKEN = token;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: environment });
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server process exited with ${code} before printing its URL`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

/** A bare protocol client: raw messages in and out, no heartbeat answers. */
async function rawClient(url: string, token = TOKEN): Promise<{ socket: WebSocket; messages: ServerMessage[] }> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  onCleanup(() => socket.terminate());
  const messages: ServerMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages };
}

// Some tests start the server as a process (TypeScript loaded through tsx): slow on a busy machine. The bound
// only turns a hang into a failure.
describe('paper venue server', { timeout: 120_000 }, () => {
  it('runs as its own process, prints its URL as one JSON line, and its death takes the client down after the configured attempts', async () => {
    const child = runServerProcess(['--port', '0', '--seed', '5', '--interval-ms', '20'], TOKEN);
    const ready = JSON.parse(await firstLine(child)) as { url: string; port: number; venue: string; pid: number };
    expect(ready).toEqual({ url: `ws://127.0.0.1:${ready.port}`, port: ready.port, venue: 'paper', pid: child.pid });

    const probe = createClient(ready, { maxReconnectAttempts: 3 });
    const { venue } = probe;
    await venue.connect();
    let quotes = 0;
    venue.subscribeMarketData(['BTC/USDT'], (data) => (quotes += data.type === 'quote' ? 1 : 0));
    // Once a quote reached us, the venue has a book to fill a market order from.
    await waitFor(() => quotes > 0, 'the synthetic market');
    venue.submit(marketBuy('from-child'));
    await waitFor(() => probe.reports.some((report) => report.type === 'filled'), 'a fill from the child process');
    expect((await venue.adminState()).submitCounts).toEqual({ 'from-child': 1 });

    child.kill('SIGKILL');
    await reconnectUntil(probe, () => venue.connectionState() === 'down', 'the client to give up on the dead venue');
    expect(venue.connectionStatus()).toMatchObject({ state: 'down', failedAttempts: 3 });
    expect(venue.connectionStatus().lastError).toContain('ECONNREFUSED');
    expect(probe.states.slice(0, 4)).toEqual(['connecting', 'syncing', 'live', 'reconnecting']);
  });

  it('will not start without a token, saying where it belongs', async () => {
    const child = runServerProcess(['--port', '0'], undefined);
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toContain('a token is required: set FILLSTATE_PAPER_VENUE_TOKEN (or pass --token)');
  });

  it('exits cleanly on SIGTERM', async () => {
    const child = runServerProcess(['--port', '0'], TOKEN);
    await firstLine(child);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('refuses an upgrade without the token', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url);
    const status = await new Promise<number | undefined>((resolve) => socket.once('unexpected-response', (_request, response) => resolve(response.statusCode)));
    expect(status).toBe(401);
    expect(server.connectionCount()).toBe(0);
  });

  it('answers malformed messages with a specific error and changes nothing at the venue', async () => {
    // No server pings among the messages this test counts.
    const server = await startServer({ heartbeatIntervalMs: 600_000 });
    const { socket, messages } = await rawClient(server.url);
    socket.send('{not json');
    socket.send(JSON.stringify({ type: 'query', id: 1, query: 'balances' }));
    await waitFor(() => messages.length === 2, 'two errors');
    expect(messages).toEqual([
      { type: 'error', id: null, message: 'message is not valid JSON' },
      { type: 'error', id: 1, message: 'say hello first' },
    ]);

    socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, session: 's1', resumeAfter: null }));
    socket.send(JSON.stringify({ type: 'submit', id: 2, order: { clientOrderId: 'x', symbol: 'BTC/USDT', side: 'buy', type: 'market', timeInForce: 'IOC', postOnly: false, reduceOnly: false } }));
    socket.send(JSON.stringify({ type: 'query', id: 3, query: 'order' }));
    await waitFor(() => messages.filter((message) => message.type === 'error').length === 4, 'two more errors');
    expect(messages.slice(2).map((message) => message.type)).toEqual(['welcome', 'resumed', 'error', 'error']);
    expect(messages[4]).toMatchObject({ type: 'error', id: 2, message: expect.stringMatching(/^invalid order\.quantity: /) });
    expect(messages[5]).toEqual({ type: 'error', id: 3, message: 'invalid clientOrderId: required for an order query' });
    expect((await server.host.adminState()).submitCounts).toEqual({});
    expect(server.host.lastSequence).toBe(0);
  });

  it('refuses a client speaking another protocol version', async () => {
    const server = await startServer();
    const { socket, messages } = await rawClient(server.url);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'hello', protocol: 99, session: 's1', resumeAfter: null }));
    expect(await closed).toBe(4000);
    expect(messages).toEqual([{ type: 'error', id: null, message: `protocol 99 is not spoken here (server speaks ${PROTOCOL_VERSION})`, fatal: true }]);
  });

  it('stamps a fill and its report with one time, so what recovery reads back matches what was streamed', async () => {
    const host = new VenueHost({ market: false, clock: new MovingClock() });
    onCleanup(() => host.stop());
    const reports: ExecutionReport[] = [];
    host.onReport(({ report }) => reports.push(report));
    host.publish(quote('49999.9', '50000.1'));
    host.submit(marketBuy('stamped'));
    await waitFor(() => reports.some((report) => report.type === 'filled'), 'the fill report');
    const filled = reports.find((report) => report.type === 'filled')!;
    const [fill] = await host.venue.orderFills('stamped');
    expect(fill!.timestamp).toBe(filled.timestamp);
    expect(host.fillsSince(0).map((sequenced) => sequenced.timestamp)).toEqual([filled.timestamp]);
  });

  it('cuts off a client that stops answering its pings', async () => {
    const server = await startServer({ heartbeatIntervalMs: 30, heartbeatTimeoutMs: 100 });
    const { socket, messages } = await rawClient(server.url);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closed;
    expect(messages.some((message) => message.type === 'ping')).toBe(true);
    expect(server.connectionCount()).toBe(0);
  });
});
