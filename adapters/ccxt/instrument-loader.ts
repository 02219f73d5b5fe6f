// The ccxt venue's instruments, loaded once at its first connect: the exchange's markets, the account's fee
// rates, each traded market's own filters read by the profile, and what the venue holds natively.
import type { Exchange } from 'ccxt';
import { createInstrument, type Instrument } from '../../src/domain/instrument.ts';
import type { VenueCapabilities } from '../venue.ts';
import { CcxtVenueError, UnreachableError } from './errors.ts';
import type { ExchangeRest } from './exchange-rest.ts';
import type { ExchangeProfile } from './profile.ts';

export interface InstrumentLoad {
  readonly venueId: string;
  readonly exchange: Exchange;
  readonly profile: ExchangeProfile;
  readonly rest: ExchangeRest;
  /** Only these symbols (default: every active market with usable filters). */
  readonly symbols?: readonly string[];
  /** Where the exchange is, for the reason when it cannot be reached. */
  readonly where: string;
  /** Leverage set per symbol at connect (futures): the one the engine figures a perpetual's margin at. */
  readonly leverage?: Readonly<Record<string, number | string>>;
}

/** Loads markets and fees; refuses a key the exchange refuses, an exchange never reached, a symbol it lacks. */
export async function loadInstruments({ venueId, exchange, profile, rest, symbols, where, leverage }: InstrumentLoad): Promise<{ instruments: Instrument[]; capabilities: VenueCapabilities }> {
  try {
    await rest.call('loadMarkets', 'read', () => exchange.loadMarkets());
  } catch (error) {
    const kind = profile.classifyError(error).kind;
    throw kind === 'ambiguous' ? new UnreachableError(`${profile.exchange} ${profile.market} at ${where} is unreachable: ${describe(error)}`) : error;
  }
  let fees = { maker: '0.001', taker: '0.001' };
  try {
    const balance = (await rest.call('fetchBalance', 'read', () => exchange.fetchBalance())) as { info: unknown };
    fees = profile.feesFromRaw(balance.info) ?? fees;
  } catch (error) {
    if (profile.classifyError(error).kind === 'credentials') throw new CcxtVenueError(`venue ${venueId}: the exchange refused the API key: ${describe(error)}`);
    throw error;
  }
  const wanted = symbols === undefined ? undefined : new Set(symbols);
  const instruments: Instrument[] = [];
  for (const market of Object.values(exchange.markets ?? {})) {
    if (market === undefined || market.active === false) continue;
    if (wanted !== undefined && !wanted.has(market.symbol)) continue;
    const spec = profile.instrument(market as never, fees);
    const symbolLeverage = spec?.kind === 'perpetual' ? leverage?.[spec.symbol] : undefined;
    if (spec !== undefined) instruments.push(createInstrument(symbolLeverage === undefined ? spec : { ...spec, leverage: String(symbolLeverage) }));
  }
  if (wanted !== undefined) {
    const missing = [...wanted].filter((symbol) => !instruments.some((instrument) => instrument.symbol === symbol));
    if (missing.length > 0) throw new CcxtVenueError(`venue ${venueId}: ${profile.exchange} ${profile.market} has no tradable symbol ${missing.join(', ')}`);
  }
  return { instruments, capabilities: profile.capabilities(exchange, instruments.map((instrument) => instrument.symbol)) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
