// The real processes: `fillstate start` with no config (spawned through the package's bin), the CLI talking to
// it over HTTP with the token file, clear errors and exit codes, and a graceful SIGTERM that exits 0.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The installed command (package.json "bin"), which loads src/cli.ts through tsx. */
const CLI = path.join(ROOT, 'bin/fillstate.mjs');
const TSX: string[] = [];
/** The environment of a user's shell, minus anything of ours that would change what is tested. */
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FILLSTATE_')));

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly inspectorUrl: string;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Each test starts several processes (every CLI call loads TypeScript through tsx): on a busy machine that takes
 * far longer than the default timeout. The bound only turns a hang into a failure; nothing here is timed.
 */
const PROCESS_TEST = { timeout: 240_000 } as const;

/** Daemons this file started: none outlives it, even when a test fails half-way. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startDaemon(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [...TSX, CLI, 'start', ...args], { cwd, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const match = /^fillstate listening on (http:\/\/\S+) \(API \S+\/v1, inspector (\S+)\)$/m.exec(output);
      if (match !== null) resolve({ child, url: match[1]!, inspectorUrl: match[2]!, output: () => output, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`the daemon exited (${code}) before it listened:\n${output}`)));
  });
}

/** Waits, as the daemon writes, until its output matches `pattern`; fails if it exits first. No time bound but the test's. */
function outputMatching(started: Started, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(started.output())) return;
      started.child.stdout!.off('data', check);
      started.child.stderr!.off('data', check);
      resolve();
    };
    // The daemon's own listener (in startDaemon) appends first, so each check sees the new chunk.
    started.child.stdout!.on('data', check);
    started.child.stderr!.on('data', check);
    check();
    void started.exited.then(() => reject(new Error(`the daemon exited without printing ${pattern}:\n${started.output()}`)));
  });
}

/** Asks `check` again (every 50 ms, as answers come) until it holds; the test's own timeout bounds the wait. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

function cli(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...TSX, CLI, ...args], { cwd, env: { ...BASE_ENV, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code ?? -1), stdout, stderr });
    });
  });
}

describe('fillstate start and the CLI', PROCESS_TEST, () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'fillstate-start-'));
  let daemon: Started;

  beforeAll(async () => {
    // No config file, no flags: only a free port, so parallel test runs do not collide on 7800.
    daemon = await startDaemon(cwd, [], { FILLSTATE_PORT: '0' });
  }, PROCESS_TEST.timeout);

  afterAll(async () => {
    if (daemon?.child.exitCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
  });

  it('prints the API and inspector URLs, with the token generated owner-only in ./data/token', async () => {
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokenFile = path.join(cwd, 'data', 'token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(daemon.inspectorUrl).toBe(`${daemon.url}/inspector?token=${token}`);
    // The token appears in that one line only, never in the logs.
    expect(daemon.output().split(token).length - 1).toBe(1);
    // The printed inspector URL opens the page; without the token it is refused.
    const page = await fetch(daemon.inspectorUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${daemon.url}/inspector`)).status).toBe(401);
  });

  it('answers the CLI, reading the token from ./data/token', async () => {
    // Independent commands run side by side: each is a process of its own.
    const [status, submitted, refused, wrongToken, usage, positions] = await Promise.all([
      cli(cwd, ['status', '--url', daemon.url, '--json']),
      cli(cwd, ['submit', '--url', daemon.url, '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '0.01', '--price', '1000', '--client-order-id', 'cli-1']),
      cli(cwd, ['submit', '--url', daemon.url, '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '0.0101', '--price', '1000']),
      cli(cwd, ['status', '--url', daemon.url, '--token', 'not-the-token']),
      cli(cwd, ['cancel']),
      cli(cwd, ['positions', '--url', daemon.url, '--json']),
    ]);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed.ready.ready).toBe(true);
    expect(parsed.account.tradingState).toBe('active');
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toContain('submitted: cli-1 buy 0.01 BTC/USDT limit');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400 invalid_order: quantity must be a positive multiple of 0.001, got 0.0101');
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('refused the token');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('cancel needs exactly one order id');
    expect(positions.code).toBe(0);
    expect(Array.isArray(JSON.parse(positions.stdout).positions)).toBe(true);

    const [repeated, orders] = await Promise.all([
      cli(cwd, ['submit', '--url', daemon.url, '--json', '--body', JSON.stringify({ clientOrderId: 'cli-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '1000' })]),
      cli(cwd, ['orders', '--url', daemon.url, '--live']),
    ]);
    expect(JSON.parse(repeated.stdout)).toMatchObject({ created: false, order: { orderId: 'cli-1' } });
    expect(orders.stdout).toMatch(/^ORDER\s+SYMBOL\s+SIDE/);
    expect(orders.stdout).toMatch(/cli-1\s+BTC\/USDT\s+buy\s+limit\s+open/);

    const canceled = await cli(cwd, ['cancel', 'cli-1', '--url', daemon.url]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toMatch(/cancel requested: cli-1 is (pendingCancel|canceled)/);
    expect((await cli(cwd, ['halt', '--url', daemon.url, '--reason', 'test'])).stdout.trim()).toBe('trading is halted');
    expect((await cli(cwd, ['resume', '--url', daemon.url])).stdout.trim()).toBe('trading is active');
    const closeAll = await cli(cwd, ['close-all', '--url', daemon.url, '--json']);
    expect(JSON.parse(closeAll.stdout).tradingState).toBe('halted');
  });

  it('stops on SIGTERM: no more requests, exit 0; then the CLI says the daemon is down', async () => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).toContain('resting orders are left at the venue as they are');
    expect(daemon.output()).toContain('"msg":"stopped"');
    const down = await cli(cwd, ['status', '--url', daemon.url]);
    expect(down.code).toBe(3);
    expect(down.stderr.trim()).toBe(`fillstate: no fillstate daemon at ${daemon.url}: connection refused (is \`fillstate start\` running?)`);
  });

  it('starts again from ./data/fillstate.db (the orders and the journal are still there) and refuses a second daemon on it', async () => {
    const before = (await cli(cwd, ['orders', '--url', 'http://127.0.0.1:9', '--json'])).code;
    expect(before).toBe(3);
    const again = await startDaemon(cwd, ['--no-demo'], { FILLSTATE_PORT: '0' });
    try {
      // Log lines are written asynchronously: the recovery line may follow the listening line.
      await outputMatching(again, /recovered \d+ order\(s\) and \d+ position\(s\) from .*fillstate\.db/);
      // The in-process paper venue continued from its saved state: reconciliation found nothing to report.
      await outputMatching(again, /"discrepancies":\[\]\}\],"balanceDifferences":\{\}\}/);
      expect(again.output()).not.toContain('started afresh');
      // A second daemon on the same data directory would journal into the same file: refused.
      const second = await cli(cwd, ['start', '--no-demo'], { FILLSTATE_PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`another fillstate daemon (pid ${again.child.pid}) is using ${path.join(cwd, 'data')}`);
      const orders = JSON.parse((await cli(cwd, ['orders', '--url', again.url, '--json'])).stdout).orders as { orderId: string; status: string }[];
      expect(orders.find((order) => order.orderId === 'cli-1')?.status).toBe('canceled');
      const events = await fetch(`${again.url}/v1/events?after=0&limit=10000`, { headers: { authorization: `Bearer ${readFileSync(path.join(cwd, 'data', 'token'), 'utf8').trim()}` } });
      const journal = (await events.json()) as { events: { sequence: number; type: string; orderId?: string }[]; lastSequence: number };
      expect(journal.events.map((event) => event.sequence)).toEqual(Array.from({ length: journal.lastSequence }, (_, index) => index + 1));
      expect(journal.events.filter((event) => event.orderId === 'cli-1').map((event) => event.type)).toEqual(expect.arrayContaining(['OrderInitialized', 'OrderCanceled']));
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });
});

describe('fillstate start against a paper venue server over WebSocket', PROCESS_TEST, () => {
  it('trades through the remote venue, finds its resting order still working after a restart, and is not ready once the venue is gone', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fillstate-remote-'));
    const venueToken = 'paper-venue-token-0123456789';
    const venue = spawn(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, path.join(ROOT, 'adapters/paper-server/main.ts'), '--port', '0'], {
      env: { ...BASE_ENV, FILLSTATE_PAPER_VENUE_TOKEN: venueToken },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(venue);
    try {
      const venueUrl = await new Promise<string>((resolve, reject) => {
        let text = '';
        venue.stdout!.on('data', (chunk) => {
          text += String(chunk);
          const line = text.split('\n').find((candidate) => candidate.startsWith('{'));
          if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
        });
        venue.on('exit', (code) => reject(new Error(`the paper venue server exited (${code})`)));
      });
      writeFileSync(path.join(cwd, 'fillstate.config.yaml'), `venue:\n  type: websocket\n  id: paper\n  url: ${venueUrl}\n  tokenEnv: FILLSTATE_PAPER_VENUE_TOKEN\ndemo:\n  enabled: false\n`);
      const env = { FILLSTATE_PORT: '0', FILLSTATE_PAPER_VENUE_TOKEN: venueToken };
      const first = await startDaemon(cwd, [], env);
      const resting = await cli(cwd, ['submit', '--url', first.url, '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '0.01', '--price', '1000', '--client-order-id', 'remote-1']);
      expect(resting.code, resting.stderr).toBe(0);
      const market = await cli(cwd, ['submit', '--url', first.url, '--symbol', 'BTC/USDT', '--side', 'buy', '--quantity', '0.01', '--client-order-id', 'remote-2']);
      expect(market.code, market.stderr).toBe(0);
      const orders = async (url: string) => {
        const response = await fetch(`${url}/v1/orders`, { headers: { authorization: `Bearer ${readFileSync(path.join(cwd, 'data', 'token'), 'utf8').trim()}` } });
        return ((await response.json()) as { orders: { orderId: string; status: string }[] }).orders;
      };
      await eventually(async () => !(await orders(first.url)).some((order) => order.status === 'submitted'));
      expect(Object.fromEntries((await orders(first.url)).map((order) => [order.orderId, order.status]))).toEqual({ 'remote-1': 'open', 'remote-2': 'filled' });
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = await startDaemon(cwd, [], env);
      try {
        expect(Object.fromEntries((await orders(second.url)).map((order) => [order.orderId, order.status]))).toEqual({ 'remote-1': 'open', 'remote-2': 'filled' });
        expect(second.output()).not.toContain('no longer knows');
        const canceled = await cli(cwd, ['cancel', 'remote-1', '--url', second.url]);
        expect(canceled.code, canceled.stderr).toBe(0);

        // The venue goes away: the daemon is no longer ready, and says why; its metrics show the link state.
        venue.kill('SIGTERM');
        const headers = { authorization: `Bearer ${readFileSync(path.join(cwd, 'data', 'token'), 'utf8').trim()}` };
        let ready = await fetch(`${second.url}/ready`, { headers });
        await eventually(async () => {
          ready = await fetch(`${second.url}/ready`, { headers });
          return ready.status !== 200;
        });
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { problems: Record<string, string> }).problems['venue:paper']).toMatch(/^venue paper is (reconnecting|connecting|syncing|down)$/);
        const metrics = await (await fetch(`${second.url}/metrics`, { headers })).text();
        expect(metrics).toMatch(/fillstate_venue_connection\{venue="paper",state="live"\} 0/);
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
      expect(first.output()).not.toContain(venueToken);
    } finally {
      venue.kill('SIGTERM');
    }
  });
});

describe('fillstate start refusals and shutdown options', PROCESS_TEST, () => {
  it('refuses a bad config with the path and reason of each error, exit 2', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fillstate-bad-config-'));
    writeFileSync(path.join(cwd, 'fillstate.config.json'), JSON.stringify({ server: { port: 'eighty' }, venue: { type: 'paper', balances: { USDT: 5 } }, token: 'x' }));
    const result = await cli(cwd, ['start']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid configuration in ${path.join(cwd, 'fillstate.config.json')}`);
    expect(result.stderr).toContain('token: secrets are not read from files');
    const second = await cli(cwd, ['start', '--config', 'nowhere.yaml']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('nowhere.yaml');
    expect(second.stderr).toContain('the file does not exist');
  });

  it('cancels resting orders at shutdown when the config says so', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fillstate-cancel-'));
    writeFileSync(path.join(cwd, 'fillstate.config.yaml'), 'shutdown:\n  cancelOpenOrders: true\ndemo:\n  enabled: false\n');
    const daemon = await startDaemon(cwd, ['--port', '0'], { FILLSTATE_TOKEN: 'a-token-from-the-environment' });
    const submitted = await cli(cwd, ['submit', '--url', daemon.url, '--symbol', 'BTC/USDT', '--side', 'sell', '--quantity', '0.01', '--price', '90000'], { FILLSTATE_TOKEN: 'a-token-from-the-environment' });
    expect(submitted.code, submitted.stderr).toBe(0);
    daemon.child.kill('SIGINT');
    expect(await daemon.exited).toBe(0);
    expect(daemon.output()).toContain('canceled 1 resting order(s) at shutdown');
    // A token set in the environment is never echoed, not even in the inspector URL.
    expect(daemon.inspectorUrl).toBe(`${daemon.url}/inspector?token=<FILLSTATE_TOKEN>`);
    expect(daemon.output()).not.toContain('a-token-from-the-environment');
  });
});
