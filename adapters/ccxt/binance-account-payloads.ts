// Binance's raw account payloads read exactly: balances and fee rates, futures positions with the exchange's
// liquidation price, funding income, what an ACCOUNT_UPDATE says changed, and the exchange's forced closes.
import { decimal, toDecimalString, type DecimalString } from '../../src/domain/decimal.ts';
import type { OrderSide } from '../../src/domain/order-request.ts';
import type { AccountReport, Balance, VenuePosition } from '../venue.ts';
import { fillFromBinanceStream } from './binance-payloads.ts';
import type { AccountChange } from './profile.ts';
import { exact } from './raw-decimal.ts';

type Raw = Record<string, unknown>;

/** Balances from the spot account (`balances`) or the futures account (`assets`). */
export function balancesFromBinance(payload: unknown): Balance[] {
  const info = payload as Raw;
  if (Array.isArray(info.balances)) {
    return (info.balances as Raw[])
      .map((row) => ({ currency: String(row.asset), free: exact(row.free) ?? '0', locked: exact(row.locked) ?? '0' }))
      .filter((row) => decimal(row.free).gt('0') || decimal(row.locked).gt('0'))
      .map((row) => ({ currency: row.currency, total: toDecimalString(decimal(row.free).plus(row.locked)), reserved: row.locked }));
  }
  if (Array.isArray(info.assets)) {
    // Futures: the wallet balance is the account's money; margin held for orders and positions is reserved.
    return (info.assets as Raw[])
      .map((row) => {
        const wallet = exact(row.walletBalance) ?? '0';
        const available = exact(row.availableBalance) ?? wallet;
        const reserved = decimal(wallet).minus(available);
        return { currency: String(row.asset), total: wallet, reserved: toDecimalString(reserved.gt('0') ? reserved : decimal('0')) };
      })
      .filter((row) => decimal(row.total).gt('0'));
  }
  return [];
}

/** Maker/taker rates from the spot account's commissionRates, when it states them. */
export function feesFromBinance(payload: unknown): { maker: DecimalString; taker: DecimalString } | undefined {
  const rates = (payload as Raw).commissionRates as Raw | undefined;
  const maker = exact(rates?.maker);
  const taker = exact(rates?.taker);
  return maker !== undefined && taker !== undefined ? { maker, taker } : undefined;
}

/** Positions from positionRisk rows (symbols as Binance names them). */
export function positionsFromBinance(payload: unknown): VenuePosition[] {
  const rows = (Array.isArray(payload) ? payload : []) as Raw[];
  return rows.map((row) => {
    const amount = decimal(exact(row.positionAmt) ?? '0');
    const marginType = String(row.marginType ?? '').toLowerCase();
    const liquidation = exact(row.liquidationPrice);
    return {
      symbol: String(row.symbol),
      direction: amount.gt('0') ? 'long' : amount.lt('0') ? 'short' : 'flat',
      quantity: toDecimalString(amount.abs()),
      ...(exact(row.entryPrice) !== undefined && amount.abs().gt('0') ? { entryPrice: exact(row.entryPrice)! } : {}),
      ...(exact(row.markPrice) !== undefined ? { markPrice: exact(row.markPrice)! } : {}),
      ...(liquidation !== undefined && decimal(liquidation).gt('0') ? { liquidationPrice: liquidation } : {}),
      ...(exact(row.leverage) !== undefined ? { leverage: exact(row.leverage)! } : {}),
      ...(marginType === 'isolated' || marginType === 'cross' ? { marginMode: marginType } : {}),
      ...(exact(row.unRealizedProfit ?? row.unrealizedProfit) !== undefined ? { unrealizedPnl: exact(row.unRealizedProfit ?? row.unrealizedProfit)! } : {}),
    } satisfies VenuePosition;
  });
}

/** A funding payment from an income record (FUNDING_FEE). */
export function fundingFromBinance(payload: unknown, venue: string): Extract<AccountReport, { type: 'funding' }> | undefined {
  const row = payload as Raw;
  if (row.incomeType !== 'FUNDING_FEE') return undefined;
  const amount = exact(row.income);
  if (amount === undefined) return undefined;
  return {
    type: 'funding',
    venue,
    symbol: String(row.symbol),
    amount,
    currency: String(row.asset),
    // The income record does not carry the rate; the adapter fills it from the funding rate history.
    rate: '0',
    timestamp: Number(row.time ?? 0),
    fundingId: String(row.tranId),
  };
}

export function accountChangeFromBinance(payload: unknown): AccountChange | undefined {
  // Futures ACCOUNT_UPDATE: `a.m` is why (ORDER, FUNDING_FEE, ...). A funding message carries no payment id,
  // so the payments themselves are read from the income history, whose tranId is their id.
  const info = payload as Raw;
  if (info.e !== 'ACCOUNT_UPDATE') return undefined;
  const update = (info.a ?? {}) as Raw;
  return { fundingPaid: update.m === 'FUNDING_FEE', positionsChanged: Array.isArray(update.P) && update.P.length > 0 };
}

/** A forced close (liquidation or auto-deleverage order) from GET /fapi/v1/forceOrders. */
export function forcedCloseFromBinance(payload: unknown): { venueOrderId: string; symbol: string; side: OrderSide; time: number } | undefined {
  const row = payload as Raw;
  if (row.orderId === undefined || typeof row.symbol !== 'string') return undefined;
  return { venueOrderId: String(row.orderId), symbol: row.symbol, side: String(row.side) === 'BUY' ? 'buy' : 'sell', time: Number(row.updateTime ?? row.time ?? 0) };
}

/** A fill of the exchange's own liquidation or auto-deleverage order, from an ORDER_TRADE_UPDATE `o`. */
export function liquidationFromBinanceStream(payload: unknown, venue: string): Extract<AccountReport, { type: 'liquidation' }> | undefined {
  // ORDER_TRADE_UPDATE's `o` of the exchange's own order: liquidation "autoclose-…", auto-deleverage "adl_autoclose".
  const info = payload as Raw;
  const clientOrderId = String(info.c ?? '');
  if (!(clientOrderId.startsWith('autoclose-') || clientOrderId === 'adl_autoclose') || info.x !== 'TRADE') return undefined;
  const fill = fillFromBinanceStream(info);
  if (fill === undefined) return undefined;
  return { type: 'liquidation', venue, symbol: fill.symbol, side: String(info.S) === 'BUY' ? 'buy' : 'sell', quantity: fill.quantity, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency, timestamp: fill.timestamp, tradeId: fill.tradeId };
}
