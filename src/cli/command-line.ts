// The `fillstate` command line: its usage text, its options, the exit codes and the usage error.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes: scripts can tell a refusal from a daemon that is not there. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;

export const USAGE = `usage: fillstate <command> [options]

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

/** The command line cannot be understood: the usage text follows the message. */
export class UsageError extends Error {}

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

export interface CommandLine {
  readonly values: Values;
  readonly positionals: readonly string[];
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
