// Runs the paper venue server as its own process: `npx tsx adapters/paper-server/main.ts --port N --seed S`
// with the token in FILLSTATE_PAPER_VENUE_TOKEN (or --token); prints one JSON line with its URL when ready.
import { parseArgs } from 'node:util';
import { startPaperVenueServer } from './server.ts';

const TOKEN_ENVIRONMENT_VARIABLE = 'FILLSTATE_PAPER_VENUE_TOKEN';

const USAGE = `usage: tsx adapters/paper-server/main.ts [--host 127.0.0.1] [--port 0] [--token T | env ${TOKEN_ENVIRONMENT_VARIABLE}]
  [--seed 1] [--start-price 50000] [--interval-ms 100] [--id paper] [--balances USDT=100000,BTC=10]
  [--heartbeat-ms 5000] [--order-latency-ms 0] [--report-latency-ms 0] [--native-stops]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) fail(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
  return value;
}

function parseBalances(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  const balances: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const match = /^([A-Za-z0-9]+)=(\d+(\.\d+)?)$/.exec(pair.trim());
    if (match === null) fail(`--balances must look like USDT=100000,BTC=10, got ${JSON.stringify(pair)}`);
    balances[match[1]!] = match[2]!;
  }
  return balances;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        seed: { type: 'string' },
        'start-price': { type: 'string' },
        'interval-ms': { type: 'string' },
        id: { type: 'string' },
        balances: { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'order-latency-ms': { type: 'string' },
        'report-latency-ms': { type: 'string' },
        'native-stops': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const token = process.env[TOKEN_ENVIRONMENT_VARIABLE] ?? parsed.token;
  if (token === undefined) fail(`a token is required: set ${TOKEN_ENVIRONMENT_VARIABLE} (or pass --token)`);
  const startPrice = parsed['start-price'];
  if (startPrice !== undefined && !/^\d+(\.\d+)?$/.test(startPrice)) fail(`--start-price must be a decimal number, got ${JSON.stringify(startPrice)}`);

  const server = await startPaperVenueServer({
    host: parsed.host ?? '127.0.0.1',
    port: wholeNumber('port', parsed.port, 0),
    token,
    ...(parsed.id !== undefined ? { id: parsed.id } : {}),
    ...(parseBalances(parsed.balances) !== undefined ? { balances: parseBalances(parsed.balances)! } : {}),
    market: {
      seed: wholeNumber('seed', parsed.seed, 1),
      ...(startPrice !== undefined ? { startPrice } : {}),
      intervalMs: wholeNumber('interval-ms', parsed['interval-ms'], 100),
    },
    heartbeatIntervalMs: wholeNumber('heartbeat-ms', parsed['heartbeat-ms'], 5_000) || 5_000,
    orderLatencyMs: wholeNumber('order-latency-ms', parsed['order-latency-ms'], 0),
    reportLatencyMs: wholeNumber('report-latency-ms', parsed['report-latency-ms'], 0),
    nativeStops: parsed['native-stops'] === true,
  });

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`paper venue server: error while closing: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // Handlers first, then the ready line: a parent may signal the moment it reads it.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, venue: server.host.venue.id, pid: process.pid })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`paper venue server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
