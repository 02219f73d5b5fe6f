// Futures settings per symbol at the exchange: leverage and margin mode, set at connect before anything
// trades; a setting the exchange refuses stops the start with the reason.
import type { ExchangeRest } from './exchange-rest.ts';
import { CcxtVenueError } from './errors.ts';
import type { ExchangeProfile } from './profile.ts';

export async function setSymbolLeverage(rest: ExchangeRest, symbol: string, leverage: number): Promise<void> {
  await rest.call('setLeverage', 'write', () => rest.exchange.setLeverage(leverage, symbol));
}

/** Already in that mode is not an error (Binance -4046 "No need to change margin type"). */
export async function setSymbolMarginMode(rest: ExchangeRest, symbol: string, mode: 'isolated' | 'cross'): Promise<void> {
  try {
    await rest.call('setMarginMode', 'write', () => rest.exchange.setMarginMode(mode, symbol));
  } catch (error) {
    if (/-4046|No need to change/i.test((error as Error).message)) return;
    throw error;
  }
}

export async function applySymbolSettings(settings: {
  readonly venueId: string;
  readonly rest: ExchangeRest;
  readonly profile: ExchangeProfile;
  readonly leverage?: Readonly<Record<string, number>>;
  readonly marginMode?: Readonly<Record<string, 'isolated' | 'cross'>>;
}): Promise<void> {
  const { venueId, rest, profile } = settings;
  const steps: Array<[string, () => Promise<void>]> = [
    ...Object.entries(settings.marginMode ?? {}).map(([symbol, mode]): [string, () => Promise<void>] => [`margin mode ${mode} on ${symbol}`, () => setSymbolMarginMode(rest, symbol, mode)]),
    ...Object.entries(settings.leverage ?? {}).map(([symbol, leverage]): [string, () => Promise<void>] => [`leverage ${leverage} on ${symbol}`, () => setSymbolLeverage(rest, symbol, leverage)]),
  ];
  for (const [what, apply] of steps) {
    try {
      await apply();
    } catch (error) {
      // An answer that may hide success is not a refusal: the connect is retried.
      if (profile.classifyError(error).kind === 'ambiguous') throw error;
      throw new CcxtVenueError(`venue ${venueId}: the exchange refused ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
