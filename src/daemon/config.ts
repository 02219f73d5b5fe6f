// The daemon's configuration: a JSON or YAML file, then FILLSTATE_* environment variables, then command-line
// flags, validated in one schema. Every error names its path and reason. Secrets come from the environment only.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isDecimalText } from '../domain/decimal.ts';
import {
  checkPaperSettings,
  paperFillModelSchema,
  paperLatencySchema,
  perpetualSettingsSchema,
  resolveLatency,
  type ConfiguredLatency,
  type PaperLatency,
} from '../../adapters/paper/settings-schema.ts';
import { positionPlanSchema, sizingSchema } from './schemas.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    /** Where the configuration came from: a file path, "environment" or "flags". */
    readonly source: string,
    /** One line per problem: `path: reason`. */
    readonly issues: readonly string[],
  ) {
    super(`invalid configuration in ${source}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

const decimalText = (name: string) =>
  z.string({ error: `${name} must be a decimal string such as "0.5"` }).refine(isDecimalText, { message: `${name} must be a decimal string such as "0.5"` });
const positiveDecimalText = (name: string) =>
  decimalText(name).refine((text) => Number(text) > 0, { message: `${name} must be above 0` });
const nonNegativeDecimalText = (name: string) =>
  decimalText(name).refine((text) => !text.startsWith('-'), { message: `${name} must not be negative` });

const rateLimitSchema = z.strictObject({
  count: z.int().nonnegative(),
  windowMs: z.int().positive(),
});

const instrumentSchema = z.strictObject({
  symbol: z.string().min(1),
  /** spot (default): buying and selling the base; perpetual: a linear futures contract on margin, settled in quote. */
  kind: z.enum(['spot', 'perpetual'], { error: 'kind must be "spot" or "perpetual"' }).optional(),
  base: z.string().min(1),
  quote: z.string().min(1),
  tickSize: positiveDecimalText('tickSize'),
  lotSize: positiveDecimalText('lotSize'),
  minQuantity: nonNegativeDecimalText('minQuantity'),
  minNotional: nonNegativeDecimalText('minNotional'),
  makerFee: decimalText('makerFee'),
  takerFee: decimalText('takerFee'),
});

export const DEFAULT_INSTRUMENT = {
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.001',
  minQuantity: '0.001', minNotional: '5', makerFee: '0.001', takerFee: '0.002',
} as const;

const syntheticMarketSchema = z.strictObject({
  seed: z.int().default(7),
  startPrice: positiveDecimalText('startPrice').default('50000'),
  intervalMs: z.int().positive().default(100),
  tradeShare: z.number().min(0).max(1).default(0.4),
  /** Book levels on each side. */
  levels: z.int().min(1).max(1000).default(5),
  /**
   * How the venue gets the book: "quotes" (each quote replaces the displayed book) or "l2" (L2 book replay: a
   * snapshot, then incremental level updates applied to the venue's full-depth book).
   */
  book: z.enum(['quotes', 'l2'], { error: 'market.book must be "quotes" or "l2"' }).default('quotes'),
});

const paperVenueSchema = z
  .strictObject({
    type: z.literal('paper'),
    id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'venue id must be 1 to 32 letters, digits, "_" or "-"').default('paper'),
    instruments: z.array(instrumentSchema).min(1).default([DEFAULT_INSTRUMENT]),
    balances: z.record(z.string().min(1), nonNegativeDecimalText('balance')).default({ USDT: '100000', BTC: '2' }),
    /** Order entry (an order, amendment or cancel reaching the venue) and execution reports back. */
    orderLatencyMs: paperLatencySchema('orderLatencyMs').default(15),
    reportLatencyMs: paperLatencySchema('reportLatencyMs').default(15),
    /** Market data from the venue to the engine: a strategy reacts to a book the venue has moved past. */
    marketDataLatencyMs: paperLatencySchema('marketDataLatencyMs').default(0),
    /** How resting orders queue and fill (adapters/paper/fill-model.ts). */
    fillModel: paperFillModelSchema.default({ kind: 'queuePosition' }),
    /**
     * Whether the paper venue holds stop, stop-limit and take-profit orders itself, as exchanges do (default): a
     * stop at the venue survives the daemon. Off, every stop is held by the engine (emulated).
     */
    nativeStops: z.boolean().default(true),
    /** Margin, leverage, funding and liquidation of the instruments of kind "perpetual", by symbol. */
    perpetuals: z.record(z.string().min(1), perpetualSettingsSchema).default({}),
    /** The seeded synthetic market that feeds each instrument on wall time. */
    market: syntheticMarketSchema.prefault({}),
  })
  // The venue's own checks, run now: a setting it would refuse at start is refused with the config.
  .superRefine((venue, context) => checkPaperSettings(venue, (path, message) => context.addIssue({ code: 'custom', path, message })));

const websocketVenueSchema = z.strictObject({
  type: z.literal('websocket'),
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'venue id must be 1 to 32 letters, digits, "_" or "-"').default('remote'),
  url: z.url({ protocol: /^wss?$/, error: 'url must be a ws:// or wss:// URL' }),
  /** The name of the environment variable holding the venue's token (the token itself never sits in a file). */
  tokenEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'tokenEnv must name an environment variable, e.g. FILLSTATE_VENUE_TOKEN').default('FILLSTATE_VENUE_TOKEN'),
});

const environmentVariableName = (setting: string, example: string) =>
  z.string().regex(/^[A-Z_][A-Z0-9_]*$/, `${setting} must name an environment variable, e.g. ${example}`);

/** A live exchange through ccxt (adapters/ccxt). Credentials only from the environment variables it names. */
const ccxtVenueSchema = z.strictObject({
  type: z.literal('ccxt'),
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'venue id must be 1 to 32 letters, digits, "_" or "-"').default('exchange'),
  exchange: z.enum(['binance', 'okx'], { error: 'venue.exchange must be one the ccxt venue has a profile for: binance, okx' }),
  market: z.enum(['spot', 'future'], { error: 'venue.market must be "spot" or "future"' }).default('spot'),
  /** The exchange's test network (no real money); set false deliberately to trade live. */
  testnet: z.boolean().default(true),
  apiKeyEnv: environmentVariableName('apiKeyEnv', 'BINANCE_API_KEY').default('FILLSTATE_EXCHANGE_API_KEY'),
  secretEnv: environmentVariableName('secretEnv', 'BINANCE_SECRET').default('FILLSTATE_EXCHANGE_SECRET'),
  /** The API key's passphrase, for exchanges whose keys have one (OKX). */
  passwordEnv: environmentVariableName('passwordEnv', 'OKX_PASSPHRASE').optional(),
  /** Base URLs that replace the exchange's own: a local simulator, a proxy, a regional endpoint. */
  urls: z
    .strictObject({
      rest: z.url({ protocol: /^https?$/, error: 'urls.rest must be an http:// or https:// URL' }),
      ws: z.url({ protocol: /^wss?$/, error: 'urls.ws must be a ws:// or wss:// URL' }),
    })
    .optional(),
  /** Connects, loads instruments and balances, and refuses every order. */
  dryRun: z.boolean().default(false),
  /** Only these symbols (ccxt's unified names, e.g. "BTC/USDT" or "BTC/USDT:USDT"); default: all. */
  symbols: z.array(z.string().min(1)).min(1).optional(),
  /** Futures: leverage and margin mode set per symbol at connect. */
  leverage: z.record(z.string().min(1), z.int().min(1).max(125)).optional(),
  marginMode: z.record(z.string().min(1), z.enum(['isolated', 'cross'])).optional(),
  /** With the user stream quiet this long, working orders are checked over REST (ms). */
  quietBackfillMs: z.int().min(100).default(15_000),
});

const ccxtVenueWithCredentialsSchema = ccxtVenueSchema.superRefine((venue, context) => {
  if (venue.exchange === 'okx' && venue.passwordEnv === undefined) context.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'an OKX key has a passphrase: name the environment variable that holds it, e.g. OKX_PASSPHRASE' });
  if (venue.exchange === 'okx' && venue.market !== 'spot') context.addIssue({ code: 'custom', path: ['market'], message: 'the OKX profile trades the spot market only' });
});

const venueSchema = z.discriminatedUnion('type', [paperVenueSchema, websocketVenueSchema, ccxtVenueWithCredentialsSchema], { error: 'venue.type must be "paper", "websocket" or "ccxt"' });

const riskSchema = z.strictObject({
  minQuantity: positiveDecimalText('minQuantity').optional(),
  maxQuantity: positiveDecimalText('maxQuantity').optional(),
  minNotional: positiveDecimalText('minNotional').optional(),
  maxNotional: positiveDecimalText('maxNotional').optional(),
  maxPriceDeviationPercent: positiveDecimalText('maxPriceDeviationPercent').optional(),
  maxPositionValuePercentOfEquity: positiveDecimalText('maxPositionValuePercentOfEquity').optional(),
  maxLeverage: positiveDecimalText('maxLeverage').optional(),
  maxOpenPositions: z.int().nonnegative().optional(),
  submitRate: rateLimitSchema.optional(),
  amendRate: rateLimitSchema.optional(),
  dailyLossLimit: positiveDecimalText('dailyLossLimit').optional(),
  maxDrawdownPercent: positiveDecimalText('maxDrawdownPercent').optional(),
});

const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(7800),
      /** Largest request body accepted, in bytes. */
      bodyLimitBytes: z.int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
      /** Per client (remote address): a token bucket of `burst` requests refilled at `perSecond`. */
      rateLimit: z.strictObject({ perSecond: z.number().positive(), burst: z.int().positive() }).default({ perSecond: 200, burst: 400 }),
      /** Events a WebSocket client may have unsent before it is told to re-sync and closed. */
      streamBufferEvents: z.int().positive().default(10_000),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('./data'),
  venue: venueSchema.prefault({ type: 'paper' }),
  /** Several venues at once (a paper venue beside a live one); replaces `venue`. Ids must differ. */
  venues: z
    .array(venueSchema)
    .min(1)
    .refine((venues) => new Set(venues.map((venue) => venue.id)).size === venues.length, { message: 'venues: each venue needs its own id' })
    .refine((venues) => venues.filter((venue) => venue.type === 'paper').length <= 1, { message: 'venues: at most one in-process paper venue' })
    .optional(),
  risk: riskSchema.default({}),
  /** How signals are sized and protected when a signal does not say (src/engine/signals.ts SignalDefaults). */
  signals: z
    .strictObject({
      sizing: sizingSchema.optional(),
      confidenceScaling: z.strictObject({ minScale: nonNegativeDecimalText('minScale'), maxScale: nonNegativeDecimalText('maxScale') }).optional(),
      minConfidence: nonNegativeDecimalText('minConfidence').optional(),
      plan: positionPlanSchema.optional(),
      maxPositionValue: positiveDecimalText('maxPositionValue').optional(),
    })
    .default({}),
  demo: z.strictObject({ enabled: z.boolean().default(true), everyMs: z.int().min(100).default(5_000) }).prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** Human-readable lines; default: when stdout is a terminal. */
      pretty: z.boolean().optional(),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      cancelOpenOrders: z.boolean().default(false),
      /** On a graceful stop, hand the trailing stops the engine holds to the venue as native stops (engine.handStopsToVenue). */
      handStopsToVenue: z.boolean().default(true),
    })
    .prefault({}),
  /** The live inspector: a Stately inspector relay to connect out to (src/inspector/stately-relay.ts). */
  inspector: z.strictObject({ statelyRelayUrl: z.url({ protocol: /^wss?$/, error: 'inspector.statelyRelayUrl must be a ws:// or wss:// URL' }).optional() }).prefault({}),
});

export type DaemonConfig = z.output<typeof configSchema>;
export type DaemonConfigInput = z.input<typeof configSchema>;
export type VenueConfig = DaemonConfig['venue'];

/** The venues the daemon runs: `venues` when given, else the one `venue`. */
export function configuredVenues(config: DaemonConfig): readonly VenueConfig[] {
  return config.venues ?? [config.venue];
}

/** Keys that hold secrets: refused in a config file, whose contents end up in backups and repositories. */
const SECRET_KEY = /^(token|secret|password|passphrase|apikey|api_key|apisecret|api_secret|privatekey|private_key)$/i;

export const CONFIG_FILE_NAMES = ['fillstate.config.json', 'fillstate.config.yaml', 'fillstate.config.yml'] as const;

/** What overrides the file: flags from the command line. */
export interface ConfigOverrides {
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
  readonly demo?: boolean;
  readonly logLevel?: string;
}

export interface LoadedConfig {
  readonly config: DaemonConfig;
  /** The file read, or undefined when none was found and the defaults apply. */
  readonly file?: string;
}

/**
 * Reads `configPath` (or the first of CONFIG_FILE_NAMES in `cwd`), applies FILLSTATE_* variables from `env`
 * and then `overrides`, and validates the result. Throws ConfigError naming each bad path and why.
 */
export function loadConfig(options: { configPath?: string; cwd?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const explicit = options.configPath ?? env.FILLSTATE_CONFIG;
  let file: string | undefined;
  if (explicit !== undefined && explicit !== '') {
    file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(file, ['the file does not exist']);
  } else {
    file = CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate));
  }
  const raw = file === undefined ? {} : readConfigFile(file);
  return { config: parseConfig(raw, { source: file ?? 'defaults', env, overrides: options.overrides, baseDir: file === undefined ? cwd : path.dirname(file) }), file };
}

/** Validates a configuration object (as read from a file) with the environment and flags applied. */
export function parseConfig(raw: unknown, options: { source?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides; baseDir?: string } = {}): DaemonConfig {
  const source = options.source ?? 'configuration';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(source, ['(root): the configuration must be an object of settings']);
  const secrets = findSecretKeys(raw, []);
  if (secrets.length > 0) {
    throw new ConfigError(source, secrets.map((at) => `${at}: secrets are not read from files; set them in the environment (FILLSTATE_TOKEN, or the variables the venue's tokenEnv, apiKeyEnv, secretEnv and passwordEnv name)`));
  }
  if ('venue' in raw && 'venues' in raw) throw new ConfigError(source, ['venues: give either "venue" (one) or "venues" (several), not both']);
  const fromFile = configSchema.safeParse(raw);
  if (!fromFile.success) throw new ConfigError(source, formatIssues(fromFile.error));
  const origins = new Map<string, string>();
  const merged = applyEnvironment(structuredClone(raw) as Record<string, unknown>, options.env ?? {}, origins);
  applyOverrides(merged, options.overrides ?? {}, origins);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issues = formatIssues(result.error).map((issue) => {
      const origin = origins.get(issue.slice(0, issue.indexOf(':')));
      return origin === undefined ? issue : `${issue} (set by ${origin})`;
    });
    throw new ConfigError(`${source} with environment variables and flags`, issues);
  }
  return readLatencyFiles(result.data, options.baseDir ?? process.cwd(), source);
}


/**
 * Reads each latency samples file a paper venue names (relative to the config file's folder) into its
 * samples, so a missing or bad file refuses the config with the setting, the file and the line.
 */
function readLatencyFiles(config: DaemonConfig, baseDir: string, source: string): DaemonConfig {
  const issues: string[] = [];
  const resolve = (setting: ConfiguredLatency, at: string): PaperLatency => {
    try {
      return resolveLatency(setting, baseDir);
    } catch (error) {
      issues.push(`${at}.samplesFile: ${(error as Error).message}`);
      return 0;
    }
  };
  const withSamples = (venue: VenueConfig, at: string): VenueConfig =>
    venue.type !== 'paper'
      ? venue
      : {
          ...venue,
          orderLatencyMs: resolve(venue.orderLatencyMs, `${at}.orderLatencyMs`),
          reportLatencyMs: resolve(venue.reportLatencyMs, `${at}.reportLatencyMs`),
          marketDataLatencyMs: resolve(venue.marketDataLatencyMs, `${at}.marketDataLatencyMs`),
        };
  const resolved = { ...config, venue: withSamples(config.venue, 'venue'), ...(config.venues === undefined ? {} : { venues: config.venues.map((venue, index) => withSamples(venue, `venues.${index}`)) }) };
  if (issues.length > 0) throw new ConfigError(source, issues);
  return resolved;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`the file cannot be read: ${(error as Error).message}`]);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : (parseYaml(text) ?? {});
  } catch (error) {
    throw new ConfigError(file, [`(root): not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const at = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    const message = issue.code === 'unrecognized_keys'
      ? `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`
      : issue.code === 'invalid_type' && / received undefined$/.test(issue.message)
        ? `required, expected ${issue.expected}`
        : issue.message;
    return `${at}: ${message}`;
  });
}

function findSecretKeys(value: unknown, at: string[]): string[] {
  if (value === null || typeof value !== 'object') return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const here = [...at, key];
    if (SECRET_KEY.test(key)) found.push(here.join('.'));
    found.push(...findSecretKeys(child, here));
  }
  return found;
}

function section(target: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = target[key];
  if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  target[key] = created;
  return created;
}

function integerOrText(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}

function booleanOrText(text: string): boolean | string {
  const lowered = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
  if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
  return text;
}

/** FILLSTATE_HOST, _PORT, _DATA_DIR, _LOG_LEVEL, _DEMO, _CANCEL_ON_SHUTDOWN. Secrets are read elsewhere, never merged here. */
function applyEnvironment(target: Record<string, unknown>, env: NodeJS.ProcessEnv, origins: Map<string, string>): Record<string, unknown> {
  const set = (name: string, at: string, apply: (value: string) => void) => {
    const value = env[name];
    if (value === undefined || value === '') return;
    apply(value);
    origins.set(at, name);
  };
  set('FILLSTATE_HOST', 'server.host', (value) => (section(target, 'server').host = value));
  set('FILLSTATE_PORT', 'server.port', (value) => (section(target, 'server').port = integerOrText(value)));
  set('FILLSTATE_DATA_DIR', 'dataDir', (value) => (target.dataDir = value));
  set('FILLSTATE_LOG_LEVEL', 'log.level', (value) => (section(target, 'log').level = value));
  set('FILLSTATE_DEMO', 'demo.enabled', (value) => (section(target, 'demo').enabled = booleanOrText(value)));
  set('FILLSTATE_CANCEL_ON_SHUTDOWN', 'shutdown.cancelOpenOrders', (value) => (section(target, 'shutdown').cancelOpenOrders = booleanOrText(value)));
  return target;
}

function applyOverrides(target: Record<string, unknown>, overrides: ConfigOverrides, origins: Map<string, string>): void {
  const set = (flag: string, at: string, value: unknown, apply: () => void) => {
    if (value === undefined) return;
    apply();
    origins.set(at, flag);
  };
  set('--host', 'server.host', overrides.host, () => (section(target, 'server').host = overrides.host));
  set('--port', 'server.port', overrides.port, () => (section(target, 'server').port = overrides.port));
  set('--data-dir', 'dataDir', overrides.dataDir, () => (target.dataDir = overrides.dataDir));
  set('--no-demo', 'demo.enabled', overrides.demo, () => (section(target, 'demo').enabled = overrides.demo));
  set('--log-level', 'log.level', overrides.logLevel, () => (section(target, 'log').level = overrides.logLevel));
}
