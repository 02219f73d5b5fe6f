// A strategy's signal, validated, sized and given its protection plan: the pure half of submitSignal.
import { z } from 'zod';
import type { Denial } from '../risk/checks.ts';
import { decimal, ONE, ZERO, type Decimal, type DecimalString } from '../domain/decimal.ts';
import type { Instrument } from '../domain/instrument.ts';
import { decimalInput, optionalDecimalInput, OrderRequestError } from '../domain/order-request.ts';
import { planStopPrice, type PlanInputs, type PositionPlan } from '../risk/protection.ts';
import {
  capPositionSize,
  confidenceScale,
  sizeByFixedAmount,
  sizeByFixedFraction,
  sizeByKelly,
  sizeByCorrelation,
  sizeByRisk,
  sizeByVolatility,
  type PositionSize,
} from '../risk/sizing.ts';

export type SizingMethod =
  | { readonly method: 'fixedAmount'; readonly amount: DecimalString }
  | { readonly method: 'fixedFraction'; readonly fraction: DecimalString }
  /** Equity × riskFraction is lost if the plan's stop is hit. */
  | { readonly method: 'risk'; readonly riskFraction: DecimalString }
  | { readonly method: 'kelly'; readonly winRate: DecimalString; readonly winLossRatio: DecimalString; readonly multiplier?: DecimalString; readonly maxFraction: DecimalString }
  /** riskFraction of equity per ATR × atrMultiple of adverse move. */
  | { readonly method: 'volatility'; readonly riskFraction: DecimalString; readonly atrMultiple: DecimalString };

export interface SignalDefaults {
  readonly sizing?: SizingMethod;
  /** Size × a scale running from minScale at confidence 0 to maxScale at confidence 1. */
  readonly confidenceScaling?: { readonly minScale: DecimalString; readonly maxScale: DecimalString };
  /** Signals below this confidence are refused. */
  readonly minConfidence?: DecimalString;
  readonly plan?: PositionPlan;
  readonly maxPositionValue?: DecimalString;
  /**
   * Correlations between instruments (symbol -> symbol -> rho in [-1, 1], either order): a new position is
   * shrunk by 1 - the largest correlation with a position already open in the same direction.
   */
  readonly correlations?: Readonly<Record<string, Readonly<Record<string, DecimalString>>>>;
}

export const signalSchema = z.strictObject({
  symbol: z.string().min(1, 'symbol is required'),
  venue: z.string().min(1).optional(),
  action: z.enum(['buy', 'sell', 'close'], { error: 'action must be "buy", "sell" or "close"' }),
  confidence: decimalInput('confidence'),
  price: optionalDecimalInput('price'),
  atr: optionalDecimalInput('atr'),
  /** Overrides of the engine's defaults for this signal. */
  sizing: z.custom<SizingMethod>().optional(),
  /** This instrument's correlation with others (symbol -> rho), over the engine's defaults. */
  correlations: z.record(z.string(), decimalInput('correlation')).optional(),
  plan: z.custom<PositionPlan>().optional(),
});

export type Signal = z.input<typeof signalSchema>;

export type SignalOutcome =
  | { readonly status: 'opened'; readonly positionId: string; readonly entryOrderId: string; readonly quantity: DecimalString; readonly stopPrice?: DecimalString }
  | { readonly status: 'closing'; readonly positionId: string }
  | { readonly status: 'denied'; readonly positionId: string; readonly denial: Denial }
  | { readonly status: 'refused'; readonly reason: string };

export type PlannedSignal =
  | { readonly kind: 'open'; readonly direction: 'long' | 'short'; readonly quantity: DecimalString; readonly plan?: PositionPlan; readonly inputs: PlanInputs; readonly stopPrice?: DecimalString }
  | { readonly kind: 'close' }
  | { readonly kind: 'refused'; readonly reason: string };

export interface SignalContext {
  readonly instrument: Instrument;
  readonly marketPrice?: DecimalString;
  readonly equity?: DecimalString;
  /** The direction of the open position in this instrument, if any. */
  readonly openDirection?: 'long' | 'short';
  /** The open positions (asked for only when correlations are configured). */
  readonly openPositions?: () => readonly { readonly symbol: string; readonly direction: 'long' | 'short' }[];
  readonly defaults: SignalDefaults;
}

function size(method: SizingMethod, equity: Decimal, price: Decimal, stopPrice: Decimal | undefined, atr: Decimal | undefined, instrument: Instrument): PositionSize {
  switch (method.method) {
    case 'fixedAmount': return sizeByFixedAmount({ amount: decimal(method.amount), price, instrument });
    case 'fixedFraction': return sizeByFixedFraction({ equity, fraction: decimal(method.fraction), price, instrument });
    case 'risk':
      if (stopPrice === undefined) throw new Error('risk-based sizing needs a stop-loss in the plan');
      return sizeByRisk({ equity, riskFraction: decimal(method.riskFraction), entryPrice: price, stopPrice, instrument });
    case 'kelly':
      return sizeByKelly({
        equity, price, instrument,
        winRate: decimal(method.winRate), winLossRatio: decimal(method.winLossRatio),
        multiplier: method.multiplier === undefined ? undefined : decimal(method.multiplier), maxFraction: decimal(method.maxFraction),
      });
    case 'volatility':
      if (atr === undefined) throw new Error("volatility sizing needs the signal's atr");
      return sizeByVolatility({ riskAmount: equity.times(method.riskFraction), atr, atrMultiple: decimal(method.atrMultiple), instrument });
  }
}

/** Validates a signal and decides what it means: open (with a size and plan), close, or a refusal with why. */
export function planSignal(input: unknown, context: SignalContext): PlannedSignal {
  const parsed = signalSchema.safeParse(input);
  if (!parsed.success) throw new OrderRequestError(parsed.error.issues.map((issue) => issue.message));
  const signal = parsed.data;
  const confidence = decimal(signal.confidence);
  if (confidence.lt(ZERO) || confidence.gt(ONE)) throw new OrderRequestError([`confidence must be from 0 to 1, got ${signal.confidence}`]);
  const { defaults, instrument } = context;
  if (signal.action === 'close') {
    return context.openDirection === undefined ? { kind: 'refused', reason: `no open position in ${signal.symbol} to close` } : { kind: 'close' };
  }
  const direction = signal.action === 'buy' ? 'long' : 'short';
  if (context.openDirection !== undefined) {
    return {
      kind: 'refused',
      reason: context.openDirection === direction
        ? `a ${direction} position in ${signal.symbol} is already open`
        : `a ${context.openDirection} position in ${signal.symbol} is open: send a close signal before reversing`,
    };
  }
  if (defaults.minConfidence !== undefined && confidence.lt(defaults.minConfidence)) {
    return { kind: 'refused', reason: `confidence ${signal.confidence} is below the minimum ${defaults.minConfidence}` };
  }
  const priceText = signal.price ?? context.marketPrice;
  if (priceText === undefined) return { kind: 'refused', reason: `no price for ${signal.symbol}: give one with the signal or wait for market data` };
  if (context.equity === undefined) return { kind: 'refused', reason: 'equity is unknown (a balance has no market price yet), so the signal cannot be sized' };
  const price = decimal(priceText);
  const plan = signal.plan ?? defaults.plan;
  const inputs: PlanInputs = { atr: signal.atr, confidence: confidence.toFixed() };
  const side = signal.action;
  try {
    const stopPrice = plan === undefined ? undefined : planStopPrice(plan, inputs, side, price.toFixed(), instrument);
    const method = signal.sizing ?? defaults.sizing ?? { method: 'fixedFraction', fraction: '0.01' };
    let sized = size(method, decimal(context.equity), price, stopPrice === undefined ? undefined : decimal(stopPrice), signal.atr === undefined ? undefined : decimal(signal.atr), instrument);
    const correlations = correlationsWithOpen(signal.symbol, direction, signal.correlations, defaults.correlations, context.openPositions);
    if (correlations.length > 0) {
      const adjusted = sizeByCorrelation({ baseQuantity: sized.quantity, correlations, instrument });
      sized = { ...adjusted, zeroReason: adjusted.zeroReason ?? sized.zeroReason };
    }
    if (defaults.confidenceScaling !== undefined) {
      const scale = confidenceScale(confidence, decimal(defaults.confidenceScaling.minScale), decimal(defaults.confidenceScaling.maxScale));
      sized = { ...sized, quantity: roundDown(sized.quantity.times(scale), instrument.lotSize) };
    }
    const capped = capPositionSize({
      quantity: sized.quantity, price, instrument,
      maxPositionValue: defaults.maxPositionValue === undefined ? undefined : decimal(defaults.maxPositionValue),
      minNotional: instrument.minNotional,
    });
    if (!capped.quantity.gt(ZERO)) {
      return { kind: 'refused', reason: `the size came out zero (${capped.zeroReason ?? sized.zeroReason ?? 'below one lot'}) for ${signal.symbol} at ${price.toFixed()}` };
    }
    return { kind: 'open', direction, quantity: capped.quantity.toFixed(), plan, inputs, stopPrice };
  } catch (error) {
    return { kind: 'refused', reason: (error as Error).message };
  }
}

function roundDown(quantity: Decimal, lot: Decimal): Decimal {
  return quantity.div(lot).round(0, 0).times(lot);
}

/**
 * The correlations of a new position with each open one, signed by direction (an open position the other way
 * hedges: -rho). The signal's own figures come first, then the engine's table in either order.
 */
function correlationsWithOpen(
  symbol: string,
  direction: 'long' | 'short',
  fromSignal: Readonly<Record<string, DecimalString>> | undefined,
  table: SignalDefaults['correlations'],
  openPositions: SignalContext['openPositions'],
): Decimal[] {
  if ((fromSignal === undefined && table === undefined) || openPositions === undefined) return [];
  const correlations: Decimal[] = [];
  for (const open of openPositions()) {
    if (open.symbol === symbol) continue;
    const rho = fromSignal?.[open.symbol] ?? table?.[symbol]?.[open.symbol] ?? table?.[open.symbol]?.[symbol];
    if (rho === undefined) continue;
    correlations.push(open.direction === direction ? decimal(rho) : decimal(rho).neg());
  }
  return correlations;
}
