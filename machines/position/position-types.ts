// The position chart's input, context and events: the shape the engine, the store and the inspector see.
import type { DecimalString } from '../../src/domain/decimal.ts';
import type { ExitReason } from '../../src/domain/exit-reason.ts';
import type { NetPosition, PositionFill } from '../../src/domain/position-accounting.ts';
import type { PlanInputs, PositionPlan, ResolvedProtection } from '../../src/risk/protection.ts';

export interface PositionMachineInput {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly createdAt: number;
  readonly plan?: PositionPlan;
  readonly inputs?: PlanInputs;
  readonly tickSize: DecimalString;
  readonly lotSize: DecimalString;
  /** Fee rate a break-even stop must cover on entry and on exit. */
  readonly feeRate: DecimalString;
  /** The order that opens it; absent when a fill (a flip, a plain order) opened it. */
  readonly entryOrderId?: string;
  /** A margin position's leverage and the venue's maintenance margin rate: for its liquidation estimate. */
  readonly margin?: PositionMargin;
}

export interface PositionMargin {
  readonly leverage: DecimalString;
  readonly maintenanceMarginRate: DecimalString;
}

export interface PositionContext extends NetPosition {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly createdAt: number;
  readonly plan: PositionPlan;
  readonly inputs: PlanInputs;
  readonly tickSize: DecimalString;
  readonly lotSize: DecimalString;
  readonly feeRate: DecimalString;
  readonly entryOrderId?: string;
  readonly margin?: PositionMargin;
  readonly protection?: ResolvedProtection;
  /** The working protective stop (fixed or trailing) and its current price. */
  readonly stopOrderId?: string;
  readonly stopPrice?: DecimalString;
  readonly takeProfitOrderIds: readonly string[];
  readonly scaleInOrderIds: readonly string[];
  readonly exitOrderIds: readonly string[];
  /** Orders of this position still working. */
  readonly workingOrderIds: readonly string[];
  /** Whether the working stop is the initial fixed one (possibly moved to break-even) or a trailing stop. */
  readonly stopKind: 'fixed' | 'trailing';
  /** Serial for replacement stops and exits, so every clientOrderId is new. */
  readonly serial: number;
  /** Exits in a row that ended without closing the position and without a fill since: retries are bounded by it. */
  readonly failedExits: number;
  readonly closeReason?: ExitReason;
  readonly exitReason?: ExitReason;
  readonly openedAt?: number;
  readonly closedAt?: number;
  readonly lastExitPrice?: DecimalString;
  /** Sums of quantity x price over the opening and the closing parts of fills: the trade's average prices. */
  readonly entryNotional: DecimalString;
  readonly exitNotional: DecimalString;
  /** Why the plan could not be applied at the entry's fill, when it could not: the position is then closed at once. */
  readonly planError?: string;
  /** Perpetuals: funding received (+) and paid (−) while the position was held, in quote; part of its net PnL. */
  readonly funding?: DecimalString;
}

export type FillEvent = { type: 'fill'; orderId: string; timestamp: number } & PositionFill;
/** The venue liquidated the position (or part of it): a closing trade of no order of ours, at the venue's price and fee. */
export type LiquidatedEvent = { type: 'liquidated'; tradeId: string; timestamp: number } & PositionFill;

export type PositionMachineEvent =
  | FillEvent
  | LiquidatedEvent
  /** A funding payment on the position (perpetuals): positive received, negative paid. */
  | { type: 'funding'; amount: DecimalString; fundingId: string }
  /** The entry order ended (filled, canceled, expired, rejected or denied), or a fill-opened position is complete. */
  | { type: 'entryComplete' }
  | { type: 'orderEnded'; orderId: string; status: string }
  | { type: 'breakEvenReached'; marketPrice: DecimalString }
  | { type: 'trailingActivated'; marketPrice: DecimalString }
  | { type: 'stopMoved'; stopPrice: DecimalString }
  /**
   * The engine is about to stop: the trailing stop it holds goes to the venue as a native stop at `stopPrice`
   * (the trailing level). Trailing resumes here when the market passes the level it had reached (trailingActivated).
   */
  | { type: 'handStopToVenue'; stopPrice: DecimalString }
  /** Market data moved after an exit ended with quantity left: send the exit again. */
  | { type: 'retryExit' }
  /** The locally held stop fired and is about to be sent: what would hold the quantity it sells must go first. */
  | { type: 'stopTriggered' }
  | { type: 'updateStop'; stopPrice: DecimalString }
  | { type: 'updateTakeProfit'; price: DecimalString }
  | { type: 'close'; reason: ExitReason; quantity?: DecimalString }
  | { type: 'sizeChanged' };

export type PositionStateName = 'opening' | 'open' | 'closing' | 'closed';
