// Order requests: the one schema and validation every entry point (library, API, signals) goes through.
import { z } from 'zod';
import { decimal, isDecimalText, toDecimalString, type Decimal, type DecimalString } from './decimal.ts';
import { isOnLot, isOnTick, type Instrument } from './instrument.ts';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stopLimit', 'takeProfit', 'takeProfitLimit', 'trailingStop'] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTD'] as const;

export type OrderSide = (typeof ORDER_SIDES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

/** Order types whose trigger waits for the market: held by the venue when it can, emulated otherwise. */
export const TRIGGERED_ORDER_TYPES: readonly OrderType[] = ['stop', 'stopLimit', 'takeProfit', 'takeProfitLimit', 'trailingStop'];
/** Types that carry a limit price, and types that carry a stop (trigger) price. */
export const PRICED_TYPES: readonly OrderType[] = ['limit', 'stopLimit', 'takeProfitLimit'];
export const STOP_PRICED_TYPES: readonly OrderType[] = ['stop', 'stopLimit', 'takeProfit', 'takeProfitLimit'];

/** Why a price does not fit the instrument's grid, or undefined when it does. */
export function priceIssue(field: string, value: DecimalString, instrument: Instrument): string | undefined {
  const price = decimal(value);
  if (!price.gt('0')) return `${field} must be positive, got ${value}`;
  if (!isOnTick(instrument, price)) return `${field} ${value} is not a multiple of the tick size ${instrument.spec.tickSize}`;
  return undefined;
}

/** Why a quantity does not fit the instrument's lot, or undefined when it does. */
export function quantityIssue(value: DecimalString, instrument: Instrument): string | undefined {
  const quantity = decimal(value);
  if (!quantity.gt('0') || !isOnLot(instrument, quantity)) return `quantity must be a positive multiple of ${instrument.spec.lotSize}, got ${value}`;
  return undefined;
}

export class OrderRequestError extends Error {
  override name = 'OrderRequestError';
  readonly code = 'invalid_order';
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
  }
}

/**
 * A decimal given as a string (preferred) or a finite number; always becomes a canonical decimal string.
 * Checked by hand rather than with z.number(), so NaN and Infinity get their own message.
 */
export function decimalInput(name: string) {
  return z.unknown().transform((value, context): DecimalString => {
    const fail = (message: string) => {
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (value === undefined || value === null) return fail(`${name} is required`);
    if (typeof value === 'number' && !Number.isFinite(value)) return fail(`${name} must be a finite number, got ${value}`);
    if (typeof value !== 'number' && typeof value !== 'string') return fail(`${name} must be a decimal string or number, got ${typeof value}`);
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (!isDecimalText(text)) return fail(`${name} must be a decimal number, got ${JSON.stringify(value)}`);
    return toDecimalString(decimal(text));
  });
}

/** An optional decimal: absent stays absent. */
export function optionalDecimalInput(name: string) {
  return decimalInput(name).optional();
}

const clientOrderIdField = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,36}$/, 'clientOrderId must be 1 to 36 characters of letters, digits, ".", "_", ":" or "-"');

export const orderRequestSchema = z.strictObject({
  clientOrderId: clientOrderIdField.optional(),
  venue: z.string().min(1).optional(),
  symbol: z.string({ error: 'symbol is required' }).min(1, 'symbol is required'),
  side: z.enum(ORDER_SIDES, { error: 'side must be "buy" or "sell"' }),
  type: z.enum(ORDER_TYPES, { error: `type must be one of ${ORDER_TYPES.join(', ')}` }),
  quantity: decimalInput('quantity'),
  price: optionalDecimalInput('price'),
  stopPrice: optionalDecimalInput('stopPrice'),
  trailingOffset: optionalDecimalInput('trailingOffset'),
  trailingPercent: optionalDecimalInput('trailingPercent'),
  activationPrice: optionalDecimalInput('activationPrice'),
  timeInForce: z.enum(TIME_IN_FORCE, { error: `timeInForce must be one of ${TIME_IN_FORCE.join(', ')}` }).optional(),
  expireAt: z.number().int().nonnegative().optional(),
  postOnly: z.boolean().optional(),
  reduceOnly: z.boolean().optional(),
  /** The position or algo this order belongs to, for the actor tree. */
  parentId: z.string().min(1).optional(),
});

export type OrderRequestInput = z.input<typeof orderRequestSchema>;

/**
 * The terms of an order: what it asks the market for. Written once here; the venue contract's VenueOrder, the
 * OrderInitialized event and a position's order intents are derived from it.
 */
export interface OrderTerms {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: DecimalString;
  readonly price?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly trailingOffset?: DecimalString;
  readonly trailingPercent?: DecimalString;
  readonly activationPrice?: DecimalString;
  readonly timeInForce: TimeInForce;
  readonly expireAt?: number;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
}

/** The fields of OrderTerms, for code that copies an order's terms from one shape to another. */
export const ORDER_TERM_FIELDS = [
  'side', 'type', 'quantity', 'price', 'stopPrice', 'trailingOffset', 'trailingPercent', 'activationPrice', 'timeInForce', 'expireAt', 'postOnly', 'reduceOnly',
] as const satisfies readonly (keyof OrderTerms)[];
// A field added to OrderTerms and not to the list above fails to compile here.
const everyTermListed: [Exclude<keyof OrderTerms, (typeof ORDER_TERM_FIELDS)[number]>] extends [never] ? true : false = true;
void everyTermListed;

/** What an amendment may change: the price, the quantity or the stop price (the venue's and the engine's alike). */
export type OrderAmendmentTerms = Partial<Pick<OrderTerms, 'price' | 'quantity' | 'stopPrice'>>;

/** Just the terms of an order (a request, a venue order...), the fields that are absent left out. */
export function orderTermsOf(source: OrderTerms): OrderTerms {
  const terms: Partial<Record<keyof OrderTerms, unknown>> = {};
  for (const field of ORDER_TERM_FIELDS) if (source[field] !== undefined) terms[field] = source[field];
  return terms as OrderTerms;
}

/** A request that passed validation: canonical decimal strings, defaults filled in. */
export interface OrderRequest extends OrderTerms {
  readonly clientOrderId?: string;
  readonly venue?: string;
  readonly symbol: string;
  /** The position or algo this order belongs to, for the actor tree. */
  readonly parentId?: string;
  /** Set by the engine (never by a client) on a leg of a list the venue holds: the legs leave as one command. */
  readonly venueList?: VenueListMembership;
}

/** A list a venue can hold natively. OCO: when any leg fills, even in part, the venue cancels the others. */
export type NativeOrderListKind = 'oco';

/** An order's place in a list sent to the venue whole: the list and every leg's client order id, in order. */
export interface VenueListMembership {
  readonly listId: string;
  readonly kind: NativeOrderListKind;
  readonly legIds: readonly string[];
}

/** What validation needs to know beyond the request: the instrument, the clock and the market. */
export interface OrderValidationContext {
  readonly instrument: Instrument;
  readonly now: number;
  /** The last traded or mid price, when the market has been seen. */
  readonly marketPrice?: Decimal;
}

/** Shape and type checks only; returns the parsed request or throws OrderRequestError. */
export function parseOrderRequest(input: unknown): OrderRequest {
  const result = orderRequestSchema.safeParse(input);
  if (!result.success) {
    throw new OrderRequestError(
      result.error.issues.map((issue) => (issue.path.length > 0 && !issue.message.startsWith(String(issue.path[0])) ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
    );
  }
  const parsed = result.data;
  const timeInForce = parsed.timeInForce ?? (parsed.type === 'market' ? 'IOC' : 'GTC');
  const request: OrderRequest = { ...parsed, timeInForce, postOnly: parsed.postOnly ?? false, reduceOnly: parsed.reduceOnly ?? false };
  const issues = shapeIssues(request);
  if (issues.length > 0) throw new OrderRequestError(issues);
  return request;
}

function shapeIssues(request: OrderRequest): string[] {
  const issues: string[] = [];
  const { type } = request;
  if (PRICED_TYPES.includes(type) && request.price === undefined) issues.push(`price is required for a ${type} order`);
  if (!PRICED_TYPES.includes(type) && request.price !== undefined) issues.push(`price is not allowed on a ${type} order`);
  if (STOP_PRICED_TYPES.includes(type) && request.stopPrice === undefined) issues.push(`stopPrice is required for a ${type} order`);
  if (!STOP_PRICED_TYPES.includes(type) && request.stopPrice !== undefined) issues.push(`stopPrice is not allowed on a ${type} order`);
  if (type === 'trailingStop') {
    if ((request.trailingOffset === undefined) === (request.trailingPercent === undefined)) {
      issues.push('a trailingStop order needs exactly one of trailingOffset or trailingPercent');
    }
  } else {
    if (request.trailingOffset !== undefined) issues.push(`trailingOffset is only for trailingStop orders, not ${type}`);
    if (request.trailingPercent !== undefined) issues.push(`trailingPercent is only for trailingStop orders, not ${type}`);
    if (request.activationPrice !== undefined) issues.push(`activationPrice is only for trailingStop orders, not ${type}`);
  }
  if (request.timeInForce === 'GTD' && request.expireAt === undefined) issues.push('expireAt is required with timeInForce GTD');
  if (request.timeInForce !== 'GTD' && request.expireAt !== undefined) issues.push(`expireAt is only allowed with timeInForce GTD, not ${request.timeInForce}`);
  if (request.postOnly && type !== 'limit') issues.push(`postOnly is only for limit orders, not ${type}`);
  if (request.postOnly && (request.timeInForce === 'IOC' || request.timeInForce === 'FOK')) {
    issues.push(`postOnly cannot be combined with ${request.timeInForce}: a post-only order must rest`);
  }
  if (type === 'market' && request.timeInForce === 'GTD') issues.push('a market order cannot be GTD');
  return issues;
}

/** Checks a parsed request against its instrument, the clock and the market. Throws OrderRequestError. */
export function validateOrderRequest(request: OrderRequest, context: OrderValidationContext): void {
  const issues: string[] = [];
  const { instrument, marketPrice } = context;
  const quantity = decimal(request.quantity);
  const lotProblem = quantityIssue(request.quantity, instrument);
  if (lotProblem) {
    issues.push(lotProblem);
  } else if (quantity.lt(instrument.minQuantity)) {
    issues.push(`quantity ${request.quantity} is below the minimum ${instrument.spec.minQuantity} for ${instrument.symbol}`);
  }
  for (const field of ['price', 'stopPrice', 'activationPrice'] as const) {
    const value = request[field];
    const problem = value === undefined ? undefined : priceIssue(field, value, instrument);
    if (problem) issues.push(problem);
  }
  if (request.trailingOffset !== undefined) {
    const offset = decimal(request.trailingOffset);
    if (!offset.gt('0') || !isOnTick(instrument, offset)) {
      issues.push(`trailingOffset must be a positive multiple of the tick size ${instrument.spec.tickSize}, got ${request.trailingOffset}`);
    }
  }
  if (request.trailingPercent !== undefined) {
    const percent = decimal(request.trailingPercent);
    if (!percent.gt('0') || !percent.lt('100')) issues.push(`trailingPercent must be above 0 and below 100, got ${request.trailingPercent}`);
  }
  if (request.expireAt !== undefined && request.expireAt <= context.now) {
    issues.push(`expireAt ${new Date(request.expireAt).toISOString()} is not in the future (now ${new Date(context.now).toISOString()})`);
  }
  const referencePrice = request.price !== undefined ? decimal(request.price) : marketPrice;
  if (referencePrice !== undefined && quantity.gt('0') && instrument.minNotional.gt('0')) {
    const notional = quantity.times(referencePrice);
    if (notional.lt(instrument.minNotional)) {
      issues.push(`notional ${notional.toFixed()} ${instrument.quote} is below the minimum ${instrument.spec.minNotional} for ${instrument.symbol}`);
    }
  }
  if (request.stopPrice !== undefined && marketPrice !== undefined) {
    const wrongSide = stopSideIssue(request, decimal(request.stopPrice), marketPrice);
    if (wrongSide) issues.push(wrongSide);
  }
  if (issues.length > 0) throw new OrderRequestError(issues);
}

/**
 * A stop protects against the market moving through it, so a sell stop sits below the market and a buy stop
 * above; a take-profit is the reverse. One on the wrong side would trigger the moment it is placed.
 */
function stopSideIssue(request: OrderRequest, stopPrice: Decimal, marketPrice: Decimal): string | undefined {
  const isTakeProfit = request.type === 'takeProfit' || request.type === 'takeProfitLimit';
  const mustBeBelow = (request.side === 'sell') !== isTakeProfit;
  const kind = isTakeProfit ? 'take-profit' : 'stop';
  if (mustBeBelow && stopPrice.gte(marketPrice)) {
    return `stop price ${request.stopPrice} is ${stopPrice.eq(marketPrice) ? 'at' : 'above'} the market (${marketPrice.toFixed()}) for a ${request.side} ${kind}`;
  }
  if (!mustBeBelow && stopPrice.lte(marketPrice)) {
    return `stop price ${request.stopPrice} is ${stopPrice.eq(marketPrice) ? 'at' : 'below'} the market (${marketPrice.toFixed()}) for a ${request.side} ${kind}`;
  }
  return undefined;
}
