// Binance's error answers read as what they mean for an order's fate: refused, not found, duplicate id,
// rate limited, clock skew, bad credentials, or ambiguous (the request may have landed).
import { ccxtErrors } from './ccxt-library.ts';
import type { CancelReplaceFailure, ErrorClass } from './profile.ts';

/** Binance error codes and what they mean for the request's outcome (-1158 to -1168: an OCO's shape, checked before it is placed). */
const REFUSED_CODES = new Set([-1158, -1160, -1165, -1166, -1167, -1168, -1013, -1100, -1102, -1111, -1112, -1114, -1115, -1116, -1117, -1121, -2010, -2011, -2013, -2021, -2022, -2026, -4003, -4014, -4023, -4024, -4028, -4061, -4164, -5022]);
const NOT_FOUND_CODES = new Set([-2013, -2011]);
const DUPLICATE_PATTERN = /duplicate/i;

/** How a failed ccxt call to Binance is to be read (see ErrorClass). */
export function classifyBinanceError(error: unknown): ErrorClass {
  const message = error instanceof Error ? error.message : String(error);
  const code = binanceCode(message);
  const reason = binanceMessage(message) ?? message;
  if (error instanceof ccxtErrors.AuthenticationError || error instanceof ccxtErrors.PermissionDenied || code === -2015 || code === -2014 || code === -1022) return { kind: 'credentials', reason };
  if (error instanceof ccxtErrors.InvalidNonce || code === -1021) return { kind: 'clockSkew', reason };
  if (error instanceof ccxtErrors.DDoSProtection || error instanceof ccxtErrors.RateLimitExceeded || code === -1003 || code === -1015 || /\b(429|418)\b/.test(message)) return { kind: 'rateLimited', reason };
  if (code === -4116 || (code === -2010 && DUPLICATE_PATTERN.test(reason)) || error instanceof ccxtErrors.DuplicateOrderId) return { kind: 'duplicate', reason };
  if (code !== undefined && NOT_FOUND_CODES.has(code)) return { kind: 'notFound', reason };
  if (error instanceof ccxtErrors.OrderNotFound) return { kind: 'notFound', reason };
  // -1007 (backend timeout, "execution status unknown"), -1001, 5xx, network errors: the request may have landed.
  if (code === -1007 || code === -1001 || code === -1006 || code === -1008 || error instanceof ccxtErrors.NetworkError) return { kind: 'ambiguous', reason };
  if ((code !== undefined && REFUSED_CODES.has(code)) || error instanceof ccxtErrors.InvalidOrder || error instanceof ccxtErrors.InsufficientFunds || error instanceof ccxtErrors.BadRequest || error instanceof ccxtErrors.BadSymbol) {
    return { kind: 'refused', reason };
  }
  // Anything else (an unknown answer) may hide a placed order: never read it as a refusal.
  return { kind: 'ambiguous', reason };
}

/** What a failed spot cancel-replace (-2021 / -2022) did, or undefined when it is not one. */
export function binanceCancelReplaceFailure(error: unknown): CancelReplaceFailure | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const code = binanceCode(message);
  if (code !== -2021 && code !== -2022) return undefined;
  const detail = /"newOrderResponse"\s*:\s*\{[^}]*"msg"\s*:\s*"([^"]*)"/.exec(message)?.[1] ?? /"cancelResponse"\s*:\s*\{[^}]*"msg"\s*:\s*"([^"]*)"/.exec(message)?.[1];
  if (code === -2021) return { canceled: true, reason: `the order was canceled but its replacement was refused: ${detail ?? 'no reason given'}` };
  return { canceled: false, reason: `the cancel failed, so no replacement was placed: ${detail ?? 'no reason given'}` };
}

export function isBinanceOrderCountRefusal(body: string): boolean {
  // -1015: "Too many new orders; current limit is %s orders per %s."
  return binanceCode(body) === -1015;
}

export function binanceCode(message: string): number | undefined {
  const match = /"code"\s*:\s*(-?\d+)/.exec(message);
  return match === null ? undefined : Number(match[1]);
}

function binanceMessage(message: string): string | undefined {
  return /"msg"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
}
