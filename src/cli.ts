// The `fillstate` command: `start` runs the daemon; every other command talks to a running daemon over its API.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { ConfigError, loadConfig, type ConfigOverrides } from './daemon/config.ts';
import { ApiRequestError, DaemonClient, DaemonUnreachableError } from './daemon/client.ts';
import { readClientToken, TokenError } from './daemon/token.ts';
import { StoreOpenError } from './store/inspect.ts';
import { DataDirectoryLockedError } from './daemon/data-dir-lock.ts';

/** Exit codes: scripts can tell a refusal from a daemon that is not there. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

const USAGE = `usage: fillstate <command> [options]

  start                 run the daemon (paper venue and demo signals when there is no config)
      --config <path>   config file (default: fillstate.config.json or .yaml here; or FILLSTATE_CONFIG)
      --host <host>     bind address (default 127.0.0.1)
      --port <port>     API port (default 7800)
      --data-dir <dir>  SQLite file and token (default ./data)
      --no-demo         no demo signal source
      --log-level <l>   fatal, error, warn, info, debug, trace, silent

  status                trading state, readiness, balances and counts
  orders                list orders   [--status open,partial] [--symbol S] [--live] [--limit N]
  positions             list positions [--open] [--symbol S]
  submit                place an order: --symbol S --side buy|sell --quantity Q [--type limit --price P]
                        [--stop-price P] [--time-in-force GTC|IOC|FOK] [--client-order-id ID] or --body '<json>'
  cancel <orderId>      cancel an order
  twap                  slice an order over time: --symbol S --side buy|sell --quantity Q --horizon 1h
                        --interval 1m [--limit-price P] [--style taker|maker] [--randomization 0.2]
                        [--at-deadline sendRest|stop]; any algorithm as --body '<json>' (kind twap, vwap, pov,
                        iceberg, chase)
  bracket               entry + take-profit + stop-loss: --symbol S --side buy|sell --quantity Q [--price P]
                        --take-profit P --stop-loss P (exits sized to the entry's fills); any list as --body
  algos                 list algorithms and their progress   [--live] [--symbol S]
  order-lists           list order lists                     [--live] [--symbol S]
  pause-algo <id> | resume-algo <id> | cancel-algo <id> | cancel-list <id>
  halt [--reason R]     kill switch: nothing new passes, entry orders are canceled
  resume                trade again after a halt or reduce-only
  close-all [--reason R] emergency: halt, cancel entries, close every position at market

  backtest              replay market data through the engine on simulated time
      --data <path>     a data file or folder (repeatable; Binance, Tardis or CSV; .gz and .zip read directly)
      --strategy <file> strategy module (.ts or .js, default export); the demo signal source when left out
      --config <path>   backtest config (JSON or YAML): instruments, balances, venue, risk, strategy settings
      --from <time> --to <time>  only this period (ISO-8601 or epoch ms)
      --out <dir>       where journal.jsonl, report.json and report.html go (default ./backtest-report)
  report --compare <a.json> <b.json> [--out file.html]   two reports side by side
  report --since <time> [--until <time>] [--out dir]      the daemon's history as a report (through its API)
      --offline         read the data directory's store instead (no daemon needed; a running one is not disturbed)
      --starting-equity <amount>  equity when the period began (default: the equity now less the PnL since)
      --quote <currency>  with --offline and no paper venue in the config: the currency of equity and PnL

  client options: --url <url> (default from the config, http://127.0.0.1:7800), --token <token>
                  (default FILLSTATE_TOKEN, then <data-dir>/token), --data-dir <dir>, --json (raw JSON)
  exit codes: 0 ok, 1 refused by the daemon, 2 usage or configuration error, 3 daemon unreachable`;

const OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'no-demo': { type: 'boolean' },
  'log-level': { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  status: { type: 'string' },
  symbol: { type: 'string' },
  live: { type: 'boolean' },
  open: { type: 'boolean' },
  limit: { type: 'string' },
  side: { type: 'string' },
  type: { type: 'string' },
  quantity: { type: 'string' },
  price: { type: 'string' },
  'stop-price': { type: 'string' },
  'time-in-force': { type: 'string' },
  'client-order-id': { type: 'string' },
  body: { type: 'string' },
  reason: { type: 'string' },
  horizon: { type: 'string' },
  interval: { type: 'string' },
  'limit-price': { type: 'string' },
  style: { type: 'string' },
  randomization: { type: 'string' },
  'at-deadline': { type: 'string' },
  'take-profit': { type: 'string' },
  'stop-loss': { type: 'string' },
  data: { type: 'string', multiple: true },
  strategy: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  compare: { type: 'boolean' },
  since: { type: 'string' },
  until: { type: 'string' },
  offline: { type: 'boolean' },
  'starting-equity': { type: 'string' },
  quote: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command = 'start', ...rest] = positionals;
  if (values.help === true || command === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (command === 'start') {
    if (rest.length > 0) throw new UsageError(`start takes no arguments, got ${rest.join(' ')}`);
    return start(values);
  }
  if (command === 'backtest') return backtest(values, rest);
  if (command === 'report' && values.compare === true) return compare(values, rest);
  if (command === 'report' && values.offline === true) return storeReport(values, rest);
  const client = clientFor(values);
  const json = values.json === true;
  switch (command) {
    case 'status': return status(client, json);
    case 'orders': return orders(client, values, json);
    case 'positions': return positions(client, values, json);
    case 'submit': return submit(client, values, json);
    case 'cancel': {
      const [orderId] = rest;
      if (orderId === undefined || rest.length > 1) throw new UsageError('cancel needs exactly one order id: fillstate cancel <orderId>');
      const result = await client.delete<{ order: OrderRow }>(`/v1/orders/${encodeURIComponent(orderId)}`);
      print(json, result, () => `cancel requested: ${orderId} is ${result.order.status}`);
      return EXIT.ok;
    }
    case 'halt': {
      const result = await client.post<{ tradingState: string }>('/v1/halt', { reason: values.reason ?? 'halted from the command line' });
      print(json, result, () => `trading is ${result.tradingState}`);
      return EXIT.ok;
    }
    case 'resume': {
      const result = await client.post<{ tradingState: string }>('/v1/resume', {});
      print(json, result, () => `trading is ${result.tradingState}`);
      return EXIT.ok;
    }
    case 'close-all': {
      const result = await client.post<{ tradingState: string; positions: unknown[] }>('/v1/close-all', values.reason === undefined ? {} : { reason: values.reason });
      print(json, result, () => `trading is ${result.tradingState}; closing ${result.positions.length} position(s)`);
      return EXIT.ok;
    }
    case 'report': return historyReport(client, values, rest);
    case 'twap': return twap(client, values, json);
    case 'bracket': return bracket(client, values, json);
    case 'algos': return algos(client, values, json);
    case 'order-lists': return orderLists(client, values, json);
    case 'pause-algo':
    case 'resume-algo':
    case 'cancel-algo':
    case 'cancel-list': {
      const [id] = rest;
      if (id === undefined || rest.length > 1) throw new UsageError(`${command} needs exactly one id: fillstate ${command} <id>`);
      const route = command === 'cancel-list' ? `/v1/order-lists/${encodeURIComponent(id)}/cancel` : `/v1/algos/${encodeURIComponent(id)}/${command.slice(0, -'-algo'.length)}`;
      const body = command.startsWith('cancel') && values.reason !== undefined ? { reason: values.reason } : {};
      const result = await client.post<{ algo?: AlgoRow; orderList?: OrderListRow }>(route, body);
      const view = result.algo ?? result.orderList!;
      print(json, result, () => `${id} is ${view.status}: ${view.filledQuantity} filled`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function overridesOf(values: Values): ConfigOverrides {
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got "${values.port}"`);
  }
  return { host: values.host, port, dataDir: values['data-dir'], demo: values['no-demo'] === true ? false : undefined, logLevel: values['log-level'] };
}

async function start(values: Values): Promise<number> {
  const { config, file } = loadConfig({ configPath: values.config, overrides: overridesOf(values) });
  // Loaded here only: the client commands start fast without the engine, venue and server code.
  const { startDaemon } = await import('./daemon/daemon.ts');
  const daemon = await startDaemon({ config });
  daemon.logger.info({ configFile: file ?? null, dataDir: daemon.dataDir, venues: (config.venues ?? [config.venue]).map((venue) => `${venue.id} (${venue.type})`), demo: config.demo.enabled }, 'fillstate started');
  // The one line scripts and people look for. A generated token goes in the inspector URL, as a browser needs it
  // there; one the user set in the environment is theirs already and is not echoed.
  const inspector = daemon.tokenOrigin === 'environment' ? `${daemon.url}/inspector?token=<FILLSTATE_TOKEN>` : daemon.inspectorUrl;
  process.stdout.write(`fillstate listening on ${daemon.url} (API ${daemon.url}/v1, inspector ${inspector})\n`);
  let signals = 0;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`fillstate: ${signal} again, exiting without waiting\n`);
        process.exit(1);
      }
      void daemon.shutdown(signal).then(resolve, (error: unknown) => {
        daemon.logger.fatal({ err: error }, `shutdown failed: ${(error as Error).message}`);
        daemon.logger.flush();
        process.exit(1);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return EXIT.ok;
}

function clientFor(values: Values): DaemonClient {
  let url = values.url ?? process.env.FILLSTATE_URL;
  let dataDir = values['data-dir'] ?? process.env.FILLSTATE_DATA_DIR;
  const tokenGiven = values.token !== undefined || (process.env.FILLSTATE_TOKEN ?? '') !== '';
  if (url === undefined || (!tokenGiven && dataDir === undefined)) {
    // Where the daemon listens and keeps its token, as its config says.
    const { config } = loadConfig({ configPath: values.config, overrides: overridesOf(values) });
    const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host === '::' ? '::1' : config.server.host;
    url ??= `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
    dataDir ??= config.dataDir;
  }
  const token = readClientToken({ token: values.token, dataDir: path.resolve(dataDir ?? './data') });
  return new DaemonClient({ url, token });
}

function print(json: boolean, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}

interface OrderRow {
  orderId: string; symbol: string; side: string; type: string; status: string; quantity: string; filledQuantity: string; price?: string; stopPrice?: string; averagePrice?: string;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

async function status(client: DaemonClient, json: boolean): Promise<number> {
  const ready = await client.get<{ ready: boolean; tradingState: string; lastSequence: number; problems: Record<string, string> }>('/ready').catch((error: unknown) => {
    // /ready answers 503 with its body when not ready: that is a status, not a failure.
    if (error instanceof ApiRequestError && error.status === 503) return error.body as { ready: boolean; tradingState: string; lastSequence: number; problems: Record<string, string> };
    throw error;
  });
  const { account } = await client.get<{ account: { tradingState: string; reason?: string; equity?: string; exposure: string; openPositions: number; balances: Record<string, { total: string; reserved?: string }> } }>('/v1/account');
  const { orders: live } = await client.get<{ orders: OrderRow[] }>('/v1/orders', { live: 'true' });
  print(json, { ready, account, liveOrders: live.length }, () =>
    [
      `daemon      ${client.url} ${ready.ready ? 'ready' : `NOT READY: ${Object.values(ready.problems).join('; ')}`}`,
      `trading     ${account.tradingState}${account.reason ? ` (${account.reason})` : ''}`,
      `equity      ${account.equity ?? 'unknown'}   exposure ${account.exposure}`,
      `orders      ${live.length} working   positions ${account.openPositions} open   events ${ready.lastSequence}`,
      `balances    ${Object.entries(account.balances).map(([currency, balance]) => `${currency} ${balance.total}`).join('   ')}`,
    ].join('\n'),
  );
  return EXIT.ok;
}

async function orders(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ orders: OrderRow[] }>('/v1/orders', { status: values.status, symbol: values.symbol, live: values.live === true ? 'true' : undefined, limit: values.limit });
  print(json, result, () =>
    result.orders.length === 0
      ? 'no orders'
      : table(
          ['ORDER', 'SYMBOL', 'SIDE', 'TYPE', 'STATUS', 'QUANTITY', 'FILLED', 'PRICE', 'AVG'],
          result.orders.map((order) => [order.orderId, order.symbol, order.side, order.type, order.status, order.quantity, order.filledQuantity, order.price ?? order.stopPrice ?? '-', order.averagePrice ?? '-']),
        ),
  );
  return EXIT.ok;
}

async function positions(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ positions: Array<{ positionId: string; symbol: string; direction: string; status: string; quantity: string; averageEntryPrice?: string; stopPrice?: string; realizedPnl: string }> }>('/v1/positions', {
    open: values.open === true ? 'true' : undefined,
    symbol: values.symbol,
  });
  print(json, result, () =>
    result.positions.length === 0
      ? 'no positions'
      : table(
          ['POSITION', 'SYMBOL', 'DIRECTION', 'STATUS', 'QUANTITY', 'ENTRY', 'STOP', 'REALIZED'],
          result.positions.map((position) => [position.positionId, position.symbol, position.direction, position.status, position.quantity, position.averageEntryPrice ?? '-', position.stopPrice ?? '-', position.realizedPnl]),
        ),
  );
  return EXIT.ok;
}

async function submit(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  if (values.body !== undefined) {
    try {
      body = JSON.parse(values.body) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--body is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    if (values.symbol === undefined || values.side === undefined || values.quantity === undefined) {
      throw new UsageError('submit needs --symbol, --side and --quantity (or --body with the whole order as JSON)');
    }
    body = {
      symbol: values.symbol,
      side: values.side,
      type: values.type ?? (values.price === undefined ? 'market' : 'limit'),
      quantity: values.quantity,
      ...(values.price === undefined ? {} : { price: values.price }),
      ...(values['stop-price'] === undefined ? {} : { stopPrice: values['stop-price'] }),
      ...(values['time-in-force'] === undefined ? {} : { timeInForce: values['time-in-force'] }),
      ...(values['client-order-id'] === undefined ? {} : { clientOrderId: values['client-order-id'] }),
    };
  }
  const result = await client.post<{ order: OrderRow; created: boolean }>('/v1/orders', body);
  print(json, result, () => `${result.created ? 'submitted' : 'already exists'}: ${result.order.orderId} ${result.order.side} ${result.order.quantity} ${result.order.symbol} ${result.order.type}, ${result.order.status}`);
  return EXIT.ok;
}

interface AlgoRow {
  algoId: string; kind: string; symbol: string; side: string; status: string; quantity: string; filledQuantity: string; averagePrice?: string; progress: string;
  schedule: { nextWakeAt?: number; endAt?: number }; children: unknown[]; childrenSent: number;
}

interface OrderListRow {
  listId: string; kind: string; symbol: string; status: string; filledQuantity: string; triggerFilledQuantity: string; position?: string; childrenSent: number;
}

/** A duration on the command line: `90s`, `5m`, `1h`, `250ms` or a number of milliseconds. */
function durationOption(name: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`--${name} is required (e.g. --${name} 5m)`);
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (match === null) throw new UsageError(`--${name} must be a duration such as 250ms, 90s, 5m or 1h, got "${text}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

function jsonBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--body is not valid JSON: ${(error as Error).message}`);
  }
}

function describeAlgo(algo: AlgoRow): string {
  const next = algo.schedule.nextWakeAt === undefined ? '' : `, next slice ${new Date(algo.schedule.nextWakeAt).toISOString()}`;
  return `${algo.algoId} ${algo.kind} ${algo.side} ${algo.quantity} ${algo.symbol}: ${algo.status}, ${algo.filledQuantity} filled${algo.averagePrice ? ` @ ${algo.averagePrice}` : ''}${next}`;
}

async function twap(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  if (values.body !== undefined) body = jsonBody(values.body);
  else {
    if (values.symbol === undefined || values.side === undefined || values.quantity === undefined) {
      throw new UsageError('twap needs --symbol, --side, --quantity, --horizon and --interval (or --body with the whole algorithm as JSON)');
    }
    body = {
      kind: 'twap', symbol: values.symbol, side: values.side, quantity: values.quantity,
      horizonMs: durationOption('horizon', values.horizon), intervalMs: durationOption('interval', values.interval),
      ...(values['limit-price'] === undefined ? {} : { limitPrice: values['limit-price'] }),
      ...(values.style === undefined ? {} : { style: values.style }),
      ...(values.randomization === undefined ? {} : { randomization: values.randomization }),
      ...(values['at-deadline'] === undefined ? {} : { atDeadline: values['at-deadline'] }),
    };
  }
  const result = await client.post<{ algo: AlgoRow }>('/v1/algos', body);
  print(json, result, () => `started ${describeAlgo(result.algo)}`);
  return EXIT.ok;
}

async function bracket(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  if (values.body !== undefined) body = jsonBody(values.body);
  else {
    if (values.symbol === undefined || values.side === undefined || values.quantity === undefined || values['take-profit'] === undefined || values['stop-loss'] === undefined) {
      throw new UsageError('bracket needs --symbol, --side, --quantity, --take-profit and --stop-loss (and --price for a limit entry), or --body with the whole list as JSON');
    }
    const exit = values.side === 'buy' ? 'sell' : 'buy';
    body = {
      kind: 'bracket', symbol: values.symbol,
      entry: values.price === undefined ? { side: values.side, type: 'market', quantity: values.quantity } : { side: values.side, type: 'limit', quantity: values.quantity, price: values.price },
      takeProfit: { side: exit, type: 'limit', price: values['take-profit'] },
      stopLoss: { side: exit, type: 'stop', stopPrice: values['stop-loss'] },
    };
  }
  const result = await client.post<{ orderList: OrderListRow }>('/v1/order-lists', body);
  const list = result.orderList;
  print(json, result, () => `placed ${list.listId} ${list.kind} ${list.symbol}: ${list.status}`);
  return EXIT.ok;
}

async function algos(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ algos: AlgoRow[] }>('/v1/algos', { live: values.live === true ? 'true' : undefined, symbol: values.symbol });
  print(json, result, () =>
    result.algos.length === 0
      ? 'no algos'
      : table(
          ['ALGO', 'KIND', 'SYMBOL', 'SIDE', 'STATUS', 'QUANTITY', 'FILLED', 'AVG', 'CHILDREN', 'ENDS'],
          result.algos.map((algo) => [algo.algoId, algo.kind, algo.symbol, algo.side, algo.status, algo.quantity, algo.filledQuantity, algo.averagePrice ?? '-', String(algo.childrenSent), algo.schedule.endAt === undefined ? '-' : new Date(algo.schedule.endAt).toISOString()]),
        ),
  );
  return EXIT.ok;
}

async function orderLists(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ orderLists: OrderListRow[] }>('/v1/order-lists', { live: values.live === true ? 'true' : undefined, symbol: values.symbol });
  print(json, result, () =>
    result.orderLists.length === 0
      ? 'no order lists'
      : table(
          ['LIST', 'KIND', 'SYMBOL', 'STATUS', 'TRIGGER FILLED', 'POSITION', 'CHILDREN'],
          result.orderLists.map((list) => [list.listId, list.kind, list.symbol, list.status, list.triggerFilledQuantity, list.position ?? '-', String(list.childrenSent)]),
        ),
  );
  return EXIT.ok;
}

/** A time given on the command line: ISO-8601 (UTC unless it says otherwise) or epoch milliseconds. */
async function timeOption(name: string, text: string | undefined): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseTimestamp } = await import('../adapters/market-data/csv.ts');
  const time = parseTimestamp(text);
  if (time === undefined) throw new UsageError(`--${name} must be an ISO-8601 time or epoch milliseconds, got "${text}"`);
  return time;
}

async function backtest(values: Values, rest: readonly string[]): Promise<number> {
  const data = [...(values.data ?? []), ...rest];
  if (data.length === 0) throw new UsageError('backtest needs market data: --data <file or folder> (repeatable)');
  const [{ runBacktest }, { readBacktestConfig }] = await Promise.all([import('./backtest/runner.ts'), import('./backtest/config.ts')]);
  const config = values.config === undefined ? {} : readBacktestConfig(values.config);
  const outDir = values.out ?? 'backtest-report';
  const result = await runBacktest({
    data,
    strategyPath: values.strategy,
    config,
    from: await timeOption('from', values.from),
    to: await timeOption('to', values.to),
    outDir,
    progress: process.stderr,
    warn: (message) => process.stderr.write(`fillstate: warning: ${message}\n`),
  });
  const statistics = result.report.statistics;
  print(values.json === true, { files: result.files, rows: result.rows, events: result.events, statistics }, () =>
    [
      `${result.rows.toLocaleString('en-US')} rows, ${result.events.toLocaleString('en-US')} events, ${statistics.trades} trades`,
      `return ${statistics.totalReturn} (annualised ${statistics.annualizedReturn ?? '-'}), Sharpe ${statistics.sharpeRatio ?? '-'}, max drawdown ${statistics.maxDrawdown} ${result.report.quote}, win rate ${statistics.winRate ?? '-'}`,
      `report ${result.files.html}`,
      `json   ${result.files.json}`,
      `journal ${result.files.journal}`,
    ].join('\n'),
  );
  return EXIT.ok;
}

async function compare(values: Values, rest: readonly string[]): Promise<number> {
  if (rest.length !== 2) throw new UsageError('report --compare needs two report files: fillstate report --compare a.json b.json');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const [{ parseReport }, { compareReports }, { renderComparisonHtml }] = await Promise.all([import('./backtest/report.ts'), import('./backtest/compare.ts'), import('./backtest/report-html.ts')]);
  const [a, b] = rest.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return parseReport(text, file);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }) as [Awaited<ReturnType<typeof parseReport>>, Awaited<ReturnType<typeof parseReport>>];
  const comparison = compareReports(a, b);
  const out = values.out ?? 'comparison.html';
  writeFileSync(out, renderComparisonHtml(comparison));
  print(values.json === true, { out, differences: comparison.differences }, () => `comparison ${out}\n${Object.entries(comparison.differences).map(([key, value]) => `  ${key.padEnd(22)} ${value}`).join('\n')}`);
  return EXIT.ok;
}

async function historyPeriod(values: Values, rest: readonly string[]): Promise<{ since?: number; until?: number; startingEquity?: string }> {
  if (rest.length > 0) throw new UsageError(`report takes no arguments (did you mean --compare?), got ${rest.join(' ')}`);
  const since = await timeOption('since', values.since);
  const until = await timeOption('until', values.until);
  if (since !== undefined && until !== undefined && until < since) throw new UsageError(`--until (${values.until}) is before --since (${values.since})`);
  const startingEquity = values['starting-equity'];
  if (startingEquity !== undefined && !/^\d+(\.\d+)?$/.test(startingEquity)) throw new UsageError(`--starting-equity must be a positive decimal amount such as 10000, got "${startingEquity}"`);
  return { since, until, startingEquity };
}

async function historyReport(client: DaemonClient, values: Values, rest: readonly string[]): Promise<number> {
  const period = await historyPeriod(values, rest);
  const { fetchHistoryReport } = await import('./backtest/history-client.ts');
  return writeHistoryReport(values, await fetchHistoryReport(client, period));
}

/** The report read from the data directory's store: no daemon, the same figures. */
async function storeReport(values: Values, rest: readonly string[]): Promise<number> {
  const period = await historyPeriod(values, rest);
  const { config } = loadConfig({ configPath: values.config, overrides: overridesOf(values) });
  const { configuredVenues } = await import('./daemon/config.ts');
  const venue = configuredVenues(config)[0]!;
  const instruments = venue.type === 'paper' ? venue.instruments : [];
  const quote = values.quote ?? instruments[0]?.quote;
  if (quote === undefined) throw new UsageError(`the config's venue "${venue.id}" (${venue.type}) lists no instruments: pass --quote <currency> (and --starting-equity)`);
  const { storeHistoryReport } = await import('./backtest/history-store.ts');
  return writeHistoryReport(values, storeHistoryReport({ ...period, dataDir: config.dataDir, quote, instruments }));
}

async function writeHistoryReport(values: Values, report: Awaited<ReturnType<typeof import('./backtest/history-client.ts').fetchHistoryReport>>): Promise<number> {
  const { writeReportFiles } = await import('./backtest/report-files.ts');
  const files = writeReportFiles(values.out ?? 'history-report', report);
  print(values.json === true, { files, statistics: report.statistics, warnings: report.warnings }, () => `${report.statistics.trades} trades, return ${report.statistics.totalReturn}, max drawdown ${report.statistics.maxDrawdown} ${report.quote}\nreport ${files.html}\njson   ${files.json}`);
  return EXIT.ok;
}

function fail(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`fillstate: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError || error instanceof TokenError || (error instanceof Error && (error.name === 'BacktestConfigError' || error.name === 'StrategyLoadError' || error.name === 'DataFileError' || error.name === 'StoreHistoryError'))) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof DaemonUnreachableError) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.unreachable;
  }
  if (error instanceof ApiRequestError) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.refused;
  }
  if (error instanceof StoreOpenError || error instanceof DataDirectoryLockedError) {
    console.error(`fillstate: ${error.message}`);
    return EXIT.refused;
  }
  const systemError = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (systemError.code === 'EADDRINUSE') {
    console.error(`fillstate: ${systemError.address}:${systemError.port} is already in use (another fillstate daemon?); choose another with --port`);
    return EXIT.refused;
  }
  console.error(`fillstate: ${(error as Error).stack ?? String(error)}`);
  return EXIT.refused;
}

const code = await main(process.argv.slice(2)).catch(fail);
process.exitCode = code;
// Exit once stdout has drained (a piped --json answer must not be cut short), even if a handle lingers.
setTimeout(() => process.exit(code), 200).unref();
