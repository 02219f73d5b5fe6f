// The paper venue's spot cash ledger: total and reserved per currency, exact, with reservations for open orders.
import { ZERO, decimal, toDecimalString, type Decimal, type DecimalString } from '../../src/domain/decimal.ts';
import type { Balance } from '../venue.ts';

interface Account {
  total: Decimal;
  reserved: Decimal;
}

/** The outcome of asking to hold cash for an order. */
export type ReservationResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function insufficientBalanceReason(currency: string, needed: Decimal, free: Decimal): string {
  return `insufficient balance: needs ${toDecimalString(needed)} ${currency}, free ${toDecimalString(free)} ${currency}`;
}

/**
 * Free = total - reserved. Reservations only ever hold cash that exists, so free never goes below zero;
 * fills move totals and release the matching part of a reservation in the same step.
 */
export class BalanceLedger {
  private readonly accounts = new Map<string, Account>();

  constructor(initial: Readonly<Record<string, DecimalString>>) {
    for (const [currency, amount] of Object.entries(initial)) {
      const total = decimal(amount);
      if (total.lt(ZERO)) throw new Error(`starting balance of ${currency} cannot be negative, got ${amount}`);
      this.accounts.set(currency, { total, reserved: ZERO });
    }
  }

  total(currency: string): Decimal {
    return this.accounts.get(currency)?.total ?? ZERO;
  }

  reserved(currency: string): Decimal {
    return this.accounts.get(currency)?.reserved ?? ZERO;
  }

  free(currency: string): Decimal {
    const account = this.accounts.get(currency);
    return account === undefined ? ZERO : account.total.minus(account.reserved);
  }

  /** Holds `amount` of `currency` if that much is free; otherwise changes nothing and says why. */
  reserve(currency: string, amount: Decimal): ReservationResult {
    const free = this.free(currency);
    if (amount.gt(free)) return { ok: false, reason: insufficientBalanceReason(currency, amount, free) };
    this.account(currency).reserved = this.reserved(currency).plus(amount);
    return { ok: true };
  }

  /**
   * Holds `amount` whether or not that much is free: for margin a fill already took (the trade happened,
   * so the venue must book it). Free may go below zero, which refuses new orders until it recovers.
   */
  hold(currency: string, amount: Decimal): void {
    if (amount.eq(ZERO)) return;
    const account = this.account(currency);
    account.reserved = account.reserved.plus(amount);
  }

  release(currency: string, amount: Decimal): void {
    if (amount.eq(ZERO)) return;
    const account = this.account(currency);
    if (amount.gt(account.reserved)) {
      throw new Error(`cannot release ${toDecimalString(amount)} ${currency}: only ${toDecimalString(account.reserved)} reserved`);
    }
    account.reserved = account.reserved.minus(amount);
  }

  /** Adds a signed change to the total (a fill's cash movement). */
  change(currency: string, amount: Decimal): void {
    if (amount.eq(ZERO)) return;
    const account = this.account(currency);
    account.total = account.total.plus(amount);
  }

  /** Sets totals and reservations as a saved snapshot has them (a venue restored after a restart). */
  restore(balances: readonly Balance[]): void {
    this.accounts.clear();
    for (const balance of balances) this.accounts.set(balance.currency, { total: decimal(balance.total), reserved: decimal(balance.reserved) });
  }

  snapshot(): Balance[] {
    return [...this.accounts].map(([currency, account]) => ({
      currency,
      total: toDecimalString(account.total),
      reserved: toDecimalString(account.reserved),
    }));
  }

  private account(currency: string): Account {
    let account = this.accounts.get(currency);
    if (account === undefined) {
      account = { total: ZERO, reserved: ZERO };
      this.accounts.set(currency, account);
    }
    return account;
  }
}
