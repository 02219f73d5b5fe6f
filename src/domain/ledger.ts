// The portfolio's cash ledger as plain JSON records: totals and reservations per currency, exact, changed only
// by pure functions that return new records (a portfolio snapshot holds it as is). Spot fills are booked here;
// perpetual futures (positions, margin, funding) by margin-ledger.ts on the same balances.
import { ZERO, decimal, type Decimal, type DecimalString } from './decimal.ts';
import type { OrderSide } from './order-request.ts';
import type { MarginBook } from './margin-ledger.ts';

/** One currency: `total` owned, `reserved` of it held for open orders; free = total − reserved. */
export interface CurrencyBalance {
  readonly total: DecimalString;
  readonly reserved: DecimalString;
}

export interface Reservation {
  readonly currency: string;
  /** What is still held for the order: its reservation less what its fills consumed. */
  readonly amount: DecimalString;
}

/**
 * Invariant kept by every function here: for each currency, `reserved` is the sum of the amounts of the
 * reservations in that currency. While each fill consumes no more than its order reserved, 0 <= reserved
 * <= total; a fill that costs more than its reservation (a market order priced above its reference) draws
 * the rest from free balance and is recorded as it happened, even if free balance goes negative: the
 * venue's word is the truth, and reconciliation will show the gap.
 */
export interface Ledger {
  readonly balances: Readonly<Record<string, CurrencyBalance>>;
  /**
   * By orderId, in a two-level trie of 64 × 64 buckets chosen by a hash of the id (read it with
   * reservationsOf or reservationFor): reserve, fill and release copy two 64-slot arrays and one bucket of a
   * few dozen entries at 100,000 open orders. A flat record made each O(open orders) (0.5 ms at 1,000); one
   * level of 128 buckets still cost 4 ms per order at 100,000. An empty slot is null (it survives JSON).
   */
  readonly reservations: ReservationTrie;
  /**
   * Perpetual positions by venue, then symbol (margin-ledger.ts): their margin is part of `reserved` in their
   * settlement currency. Absent in a ledger that never traded a perpetual (and in snapshots of version 4).
   */
  readonly margin?: MarginBook;
}

type Bucket = Readonly<Record<string, Reservation>>;
export type ReservationTrie = ReadonlyArray<ReadonlyArray<Bucket | null> | null>;

const FANOUT = 64;

/** FNV-1a of the order id: its slot at each level. */
function slotsOf(orderId: string): readonly [number, number] {
  let hash = 0x811c9dc5;
  for (let index = 0; index < orderId.length; index++) {
    hash ^= orderId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  const unsigned = hash >>> 0;
  return [unsigned % FANOUT, Math.floor(unsigned / FANOUT) % FANOUT];
}

/** A copy of a level with one slot replaced; null when every slot is then empty (a snapshot stays small). */
function withSlot<T>(level: ReadonlyArray<T | null> | null | undefined, slot: number, value: T | null): Array<T | null> | null {
  const next = level?.length === FANOUT ? level.slice() : Array.from({ length: FANOUT }, (_, index) => level?.[index] ?? null);
  next[slot] = value;
  return value === null && next.every((entry) => entry === null) ? null : next;
}

/** The reservations with this one set (or removed, when `reservation` is undefined): only its path is copied. */
export function withReservation(reservations: ReservationTrie, orderId: string, reservation: Reservation | undefined): ReservationTrie {
  const [outerSlot, innerSlot] = slotsOf(orderId);
  const inner = reservations[outerSlot] ?? null;
  const bucket: Record<string, Reservation> = { ...inner?.[innerSlot] };
  if (reservation === undefined) delete bucket[orderId];
  else bucket[orderId] = reservation;
  const keptBucket = Object.keys(bucket).length === 0 ? null : bucket;
  return withSlot(reservations, outerSlot, withSlot(inner, innerSlot, keptBucket)) ?? [];
}

/** Every reservation by orderId (a flat copy: O(open orders), for reports and tests, not the hot path). */
export function reservationsOf(ledger: Ledger): Record<string, Reservation> {
  const flat: Record<string, Reservation> = {};
  for (const inner of ledger.reservations) for (const bucket of inner ?? []) if (bucket) Object.assign(flat, bucket);
  return flat;
}

/** The reservation held for one order, if any. */
export function reservationFor(ledger: Ledger, orderId: string): Reservation | undefined {
  return reservationOf(ledger, orderId);
}

export interface LedgerFill {
  readonly orderId: string;
  readonly side: OrderSide;
  readonly base: string;
  readonly quote: string;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
}

const EMPTY: CurrencyBalance = { total: '0', reserved: '0' };

function balanceOf(ledger: Ledger, currency: string): CurrencyBalance {
  return Object.hasOwn(ledger.balances, currency) ? ledger.balances[currency]! : EMPTY;
}

function reservationOf(ledger: Ledger, orderId: string): Reservation | undefined {
  const [outerSlot, innerSlot] = slotsOf(orderId);
  const bucket = ledger.reservations[outerSlot]?.[innerSlot];
  return bucket && Object.hasOwn(bucket, orderId) ? bucket[orderId] : undefined;
}

/** A ledger with these totals and nothing reserved. Amounts must be non-negative decimal strings. */
export function createLedger(balances: Readonly<Record<string, DecimalString>>): Ledger {
  const records: Record<string, CurrencyBalance> = {};
  for (const [currency, amount] of Object.entries(balances)) {
    const total = decimal(amount);
    if (total.lt(ZERO)) throw new Error(`starting balance of ${currency} cannot be negative, got ${amount}`);
    records[currency] = { total: total.toFixed(), reserved: '0' };
  }
  return { balances: records, reservations: [] };
}

/** total − reserved; '0' for a currency the ledger has never seen. */
export function freeBalance(ledger: Ledger, currency: string): DecimalString {
  const balance = balanceOf(ledger, currency);
  return decimal(balance.total).minus(balance.reserved).toFixed();
}

/** The balance of one currency as a record (zeros when unseen). */
export function balance(ledger: Ledger, currency: string): CurrencyBalance {
  return balanceOf(ledger, currency);
}

/**
 * A new ledger with each listed currency's total and reserved moved by the given signed amounts (and the
 * margin book replaced, when `margin` is given).
 */
export function withChanges(ledger: Ledger, changes: ReadonlyMap<string, { total: Decimal; reserved: Decimal }>, reservations: Ledger['reservations'], margin: MarginBook | undefined = ledger.margin): Ledger {
  const balances: Record<string, CurrencyBalance> = { ...ledger.balances };
  for (const [currency, change] of changes) {
    const current = balanceOf(ledger, currency);
    balances[currency] = {
      total: decimal(current.total).plus(change.total).toFixed(),
      reserved: decimal(current.reserved).plus(change.reserved).toFixed(),
    };
  }
  return margin === undefined ? { balances, reservations } : { balances, reservations, margin };
}

/**
 * Holds `amount` of `currency` for `orderId`. Throws, leaving the ledger as it was, when the amount is
 * negative, when the order already has a reservation (release it first), or when free balance < amount.
 */
export function reserve(ledger: Ledger, orderId: string, currency: string, amount: DecimalString): Ledger {
  const held = decimal(amount);
  if (held.lt(ZERO)) throw new Error(`cannot reserve a negative amount for order ${orderId}: ${amount} ${currency}`);
  const existing = reservationOf(ledger, orderId);
  if (existing !== undefined) {
    throw new Error(`order ${orderId} already has ${existing.amount} ${existing.currency} reserved; release it before reserving again`);
  }
  const free = decimal(freeBalance(ledger, currency));
  if (free.lt(held)) {
    throw new Error(`insufficient ${currency} for order ${orderId}: free balance ${free.toFixed()} ${currency} is below the ${held.toFixed()} ${currency} it needs`);
  }
  const reservations = withReservation(ledger.reservations, orderId, { currency, amount: held.toFixed() });
  return withChanges(ledger, new Map([[currency, { total: ZERO, reserved: held }]]), reservations);
}

/** Frees what is left of the order's reservation and forgets it. An unknown orderId returns the ledger unchanged (the same object). */
export function release(ledger: Ledger, orderId: string): Ledger {
  const reservation = reservationOf(ledger, orderId);
  if (reservation === undefined) return ledger;
  const reservations = withReservation(ledger.reservations, orderId, undefined);
  return withChanges(ledger, new Map([[reservation.currency, { total: ZERO, reserved: decimal(reservation.amount).neg() }]]), reservations);
}

/**
 * A spot fill. Buy: quote −= quantity × price, base += quantity. Sell: base −= quantity, quote += quantity ×
 * price. The fee is subtracted from feeCurrency (a negative fee, a rebate, adds to it). The order's
 * reservation, if it has one, shrinks by what the fill consumed from the reserved currency (the quote spent
 * by a buy or the base sold by a sell, when that is the reserved currency, plus the fee when it is charged
 * in the reserved currency), never below zero; the reservation stays until release(). Throws when quantity
 * or price is not positive.
 */
export function applyFillToLedger(ledger: Ledger, fill: LedgerFill): Ledger {
  const quantity = decimal(fill.quantity);
  const price = decimal(fill.price);
  const fee = decimal(fill.fee);
  if (!quantity.gt(ZERO)) throw new Error(`fill for order ${fill.orderId}: quantity must be positive, got ${fill.quantity}`);
  if (!price.gt(ZERO)) throw new Error(`fill for order ${fill.orderId}: price must be positive, got ${fill.price}`);
  if (fill.base === fill.quote) throw new Error(`fill for order ${fill.orderId}: base and quote are both ${fill.base}`);
  const notional = quantity.times(price);

  const changes = new Map<string, { total: Decimal; reserved: Decimal }>();
  const move = (currency: string, total: Decimal, reserved: Decimal = ZERO) => {
    const change = changes.get(currency) ?? { total: ZERO, reserved: ZERO };
    changes.set(currency, { total: change.total.plus(total), reserved: change.reserved.plus(reserved) });
  };
  const spentCurrency = fill.side === 'buy' ? fill.quote : fill.base;
  const spent = fill.side === 'buy' ? notional : quantity;
  move(fill.side === 'buy' ? fill.quote : fill.base, spent.neg());
  move(fill.side === 'buy' ? fill.base : fill.quote, fill.side === 'buy' ? quantity : notional);
  if (!fee.eq(ZERO)) move(fill.feeCurrency, fee.neg());

  let reservations = ledger.reservations;
  const reservation = reservationOf(ledger, fill.orderId);
  if (reservation !== undefined) {
    let consumed = reservation.currency === spentCurrency ? spent : ZERO;
    if (fill.feeCurrency === reservation.currency && fee.gt(ZERO)) consumed = consumed.plus(fee);
    const held = decimal(reservation.amount);
    const freed = consumed.gt(held) ? held : consumed;
    if (freed.gt(ZERO)) {
      reservations = withReservation(ledger.reservations, fill.orderId, { currency: reservation.currency, amount: held.minus(freed).toFixed() });
      move(reservation.currency, ZERO, freed.neg());
    }
  }
  return withChanges(ledger, changes, reservations);
}

/**
 * Total value of every balance in `quoteCurrency`: the quote's own total plus each other total × its price
 * in `prices` (the price of one unit in quoteCurrency). A currency with a zero total needs no price; a
 * non-zero one without a price throws, naming it.
 */
export function equity(ledger: Ledger, quoteCurrency: string, prices: Readonly<Record<string, DecimalString>>): DecimalString {
  let sum = ZERO;
  for (const [currency, record] of Object.entries(ledger.balances)) {
    const total = decimal(record.total);
    if (currency === quoteCurrency) {
      sum = sum.plus(total);
      continue;
    }
    if (total.eq(ZERO)) continue;
    if (!Object.hasOwn(prices, currency)) {
      throw new Error(`no price for ${currency} in ${quoteCurrency}: cannot value the balance of ${total.toFixed()} ${currency}`);
    }
    sum = sum.plus(total.times(prices[currency]!));
  }
  return sum.toFixed();
}
