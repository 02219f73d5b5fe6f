// The paper venue's shared state: one object the venue's parts (order entry, execution, resting fills, margin,
// market data intake, saved state, report delivery) work on, built from the venue's options.
import type { DecimalString } from '../../src/domain/decimal.ts';
import type { Instrument } from '../../src/domain/instrument.ts';
import type { MarketDataListener } from '../../src/domain/market-data.ts';
import { TIME_IN_FORCE, type OrderType } from '../../src/domain/order-request.ts';
import type { Clock, TimerHandle } from '../../src/domain/clock.ts';
import type {
  AccountReport,
  AccountReportListener,
  ExecutionReport,
  ExecutionReportListener,
  VenueCapabilities,
  VenueFill,
  VenueOrderStatus,
} from '../venue.ts';
import { BalanceLedger } from './balances.ts';
import { PaperBook } from './book.ts';
import { FillModel, type FillModelSetting } from './fill-model.ts';
import type { L2Book } from './l2-book.ts';
import { LatencyModel, type LatencySetting } from './latency.ts';
import type { PaperOrder, PaperOrderList } from './paper-order.ts';
import type { PaperVenueState } from './paper-state.ts';
import { PerpetualAccount, createPerpetualState, type PerpetualSettings, type PerpetualState } from './perpetual-account.ts';
import { RestingOrders, TriggerIndex } from './resting-orders.ts';

export interface PaperVenueOptions {
  /** Venue id used in reports and ids; default 'paper'. */
  readonly id?: string;
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** Starting balances per currency, e.g. `{ USDT: '10000', BTC: '0' }`. */
  readonly balances: Readonly<Record<string, DecimalString>>;
  /** Time an order, amendment or cancel takes to reach the venue; default 0. Constant or sampled (see latency.ts). */
  readonly orderLatencyMs?: LatencySetting;
  /** Time an execution report takes to reach the caller; default 0 (still delivered on a clock timer). */
  readonly reportLatencyMs?: LatencySetting;
  /**
   * Time a tick takes from the venue (where it matches at once) to subscribers; default 0 (delivered inside
   * onMarketData). With latency, a strategy reacts to a book the venue has already moved past.
   */
  readonly marketDataLatencyMs?: LatencySetting;
  /** How resting orders queue and fill; default queuePosition (see fill-model.ts). */
  readonly fillModel?: FillModelSetting;
  /**
   * Finished orders and rejections remembered (status queries, fills for recovery), the oldest forgotten
   * first, so memory and the saved state stay bounded; default 10,000 of each.
   */
  readonly retainFinishedOrders?: number;
  /** Levels per side of the quotes subscribers get from L2 book replay (onBookUpdate); default 20. */
  readonly bookReplayQuoteDepth?: number;
  /** Hold stop, stopLimit, takeProfit and takeProfitLimit orders at the venue; default false. */
  readonly nativeStops?: boolean;
  /** A state saved by exportState(): the venue continues from it (its balances replace `balances`). */
  readonly state?: PaperVenueState;
  /** Told after each change that produces an execution report, before the report is delivered: save then. */
  readonly onStateChange?: () => void;
  /** Settings of the perpetual instruments (kind 'perpetual'), by symbol; a perpetual not listed gets the defaults. */
  readonly perpetuals?: Readonly<Record<string, PerpetualSettings>>;
}

/** An execution report before the venue stamps it with its id and the clock's time. */
export type ReportDraft = ExecutionReport extends infer Report ? (Report extends unknown ? Omit<Report, 'venue' | 'timestamp'> : never) : never;
/** An account report before the venue stamps it. */
export type AccountReportDraft = AccountReport extends infer Report ? (Report extends unknown ? Omit<Report, 'venue' | 'timestamp'> : never) : never;

/** Everything the venue keeps per symbol, found with one map lookup per tick. */
export interface SymbolState {
  readonly symbol: string;
  /** Undefined for a symbol that only has market-data subscribers (no trading). */
  readonly instrument: Instrument | undefined;
  readonly book: PaperBook;
  readonly resting: RestingOrders;
  readonly triggers: TriggerIndex;
  /** The margin position of a perpetual; undefined for spot. */
  readonly perpetual: PerpetualState | undefined;
  /** The full-depth book of L2 replay, from the first onBookUpdate. */
  l2Book: L2Book | undefined;
  /** Replaced, never mutated, on (un)subscribe so a tick in flight iterates a stable array. */
  listeners: readonly MarketDataListener[];
}

export const MARKET_LIKE_TYPES: readonly OrderType[] = ['market', 'stop', 'takeProfit'];
export const LIMIT_PRICED_TYPES: readonly OrderType[] = ['limit', 'stopLimit', 'takeProfitLimit'];
export const NATIVE_STOP_TYPES: readonly OrderType[] = ['stop', 'stopLimit', 'takeProfit', 'takeProfitLimit'];

/** The venue's state. Mutable on purpose (the hot path); only the paper venue's own modules touch it. */
export interface PaperCore {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  readonly clock: Clock;
  readonly orderLatency: LatencyModel;
  readonly reportLatency: LatencyModel;
  readonly marketDataLatency: LatencyModel;
  readonly fillModel: FillModel;
  readonly bookReplayQuoteDepth: number;
  readonly instrumentList: readonly Instrument[];
  readonly symbols: Map<string, SymbolState>;
  readonly orders: Map<string, PaperOrder>;
  /** Venue lists with a working leg, by list id. */
  readonly orderLists: Map<string, PaperOrderList>;
  /** Orders refused on arrival, kept so status queries answer and their clientOrderId stays used. */
  readonly rejectedOrders: Map<string, VenueOrderStatus>;
  /** Every fill per clientOrderId, for `orderFills` (recovery applies fills missed while the engine was down). */
  readonly fillsByOrder: Map<string, VenueFill[]>;
  readonly ledger: BalanceLedger;
  reportListeners: readonly ExecutionReportListener[];
  accountListeners: readonly AccountReportListener[];
  readonly perpetuals: PerpetualAccount;
  readonly fundingTimers: Map<string, TimerHandle>;
  nextFundingNumber: number;
  readonly retainFinished: number;
  /** Finished orders by clientOrderId, oldest finish first. */
  readonly finishedOrders: Set<string>;
  nextFinishSequence: number;
  // What changed since takeChanges() last ran (see paper-state.ts PaperVenueChanges).
  readonly changedOrders: Set<PaperOrder>;
  readonly removedOrderIds: string[];
  readonly newRejections: VenueOrderStatus[];
  readonly removedRejectionIds: string[];
  readonly newFills: VenueFill[];
  nextOrderNumber: number;
  nextTradeNumber: number;
  nextPriority: number;
  readonly onStateChange: (() => void) | undefined;
}

/** The venue's state from its options, each option checked (a saved state is applied after, see saved-state.ts). */
export function createPaperCore(options: PaperVenueOptions): PaperCore {
  const draws = options.state?.randomDraws;
  const bookReplayQuoteDepth = options.bookReplayQuoteDepth ?? 20;
  if (!Number.isSafeInteger(bookReplayQuoteDepth) || bookReplayQuoteDepth < 1) throw new Error(`bookReplayQuoteDepth must be a whole number of at least 1, got ${bookReplayQuoteDepth}`);
  const retainFinished = options.retainFinishedOrders ?? 10_000;
  if (!Number.isSafeInteger(retainFinished) || retainFinished < 1) throw new Error(`retainFinishedOrders must be a whole number of at least 1, got ${retainFinished}`);
  const instrumentList = [...options.instruments];
  const ledger = new BalanceLedger(options.balances);
  const allPerpetual = instrumentList.length > 0 && instrumentList.every((instrument) => instrument.kind === 'perpetual');
  const core: PaperCore = {
    id: options.id ?? 'paper',
    capabilities: {
      orderTypes: options.nativeStops === true ? ['market', 'limit', ...NATIVE_STOP_TYPES] : ['market', 'limit'],
      timeInForce: [...TIME_IN_FORCE],
      postOnly: true,
      // Only a venue of perpetuals holds positions that reduce-only can refer to; on spot the engine enforces it.
      reduceOnly: allPerpetual,
      amend: true,
      orderLists: ['oco'],
    },
    clock: options.clock,
    orderLatency: new LatencyModel('orderLatencyMs', options.orderLatencyMs ?? 0, draws?.orderLatency),
    reportLatency: new LatencyModel('reportLatencyMs', options.reportLatencyMs ?? 0, draws?.reportLatency),
    marketDataLatency: new LatencyModel('marketDataLatencyMs', options.marketDataLatencyMs ?? 0, draws?.marketDataLatency),
    fillModel: new FillModel(options.fillModel, draws?.fillModel),
    bookReplayQuoteDepth,
    instrumentList,
    symbols: new Map(),
    orders: new Map(),
    orderLists: new Map(),
    rejectedOrders: new Map(),
    fillsByOrder: new Map(),
    ledger,
    reportListeners: [],
    accountListeners: [],
    perpetuals: new PerpetualAccount(ledger),
    fundingTimers: new Map(),
    nextFundingNumber: 1,
    retainFinished,
    finishedOrders: new Set(),
    nextFinishSequence: 1,
    changedOrders: new Set(),
    removedOrderIds: [],
    newRejections: [],
    removedRejectionIds: [],
    newFills: [],
    nextOrderNumber: 1,
    nextTradeNumber: 1,
    nextPriority: 1,
    onStateChange: options.onStateChange,
  };
  for (const symbol of Object.keys(options.perpetuals ?? {})) {
    const listed = instrumentList.find((instrument) => instrument.symbol === symbol);
    if (listed?.kind !== 'perpetual') throw new Error(`perpetual settings for ${symbol}, which is not a perpetual instrument of this venue`);
  }
  for (const instrument of instrumentList) {
    if (core.symbols.has(instrument.symbol)) throw new Error(`instrument ${instrument.symbol} is listed twice`);
    const perpetual = instrument.kind === 'perpetual' ? createPerpetualState(instrument, options.perpetuals?.[instrument.symbol], core.clock.now()) : undefined;
    if (perpetual !== undefined) core.perpetuals.add(perpetual);
    core.symbols.set(instrument.symbol, createSymbolState(instrument.symbol, instrument, perpetual));
  }
  return core;
}

export function createSymbolState(symbol: string, instrument: Instrument | undefined, perpetual: PerpetualState | undefined = undefined): SymbolState {
  return { symbol, instrument, book: new PaperBook(), resting: new RestingOrders(), triggers: new TriggerIndex(), perpetual, l2Book: undefined, listeners: [] };
}

/** The state of a symbol, made for one only subscribed to (market data, no trading). */
export function symbolState(core: PaperCore, symbol: string): SymbolState {
  let state = core.symbols.get(symbol);
  if (state === undefined) {
    state = createSymbolState(symbol, undefined);
    core.symbols.set(symbol, state);
  }
  return state;
}

export function withoutOne<T>(list: readonly T[], item: T): readonly T[] {
  const index = list.indexOf(item);
  return index < 0 ? list : [...list.slice(0, index), ...list.slice(index + 1)];
}
