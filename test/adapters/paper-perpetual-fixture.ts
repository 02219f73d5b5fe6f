// Shared test fixture for perpetuals on the paper venue: a linear perpetual and a venue holding it, with tick builders.
import { createInstrument } from '../../src/domain/instrument.ts';
import type { AccountReport } from '../../adapters/venue.ts';
import type { PerpetualSettings } from '../../adapters/paper/perpetual-account.ts';
import { order, paperSetup, quote, trade } from './paper-fixture.ts';

/** Taker 0.05 %, maker 0.02 %. */
export const BTC_PERP = createInstrument({
  symbol: 'BTC-PERP',
  kind: 'perpetual',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.001',
  minQuantity: '0.001',
  minNotional: '0',
  makerFee: '0.0002',
  takerFee: '0.0005',
});

export function perpetualSetup(usdt: string, settings: PerpetualSettings) {
  const setup = paperSetup({ instruments: [BTC_PERP], balances: { USDT: usdt }, perpetuals: { 'BTC-PERP': settings } });
  const accountReports: AccountReport[] = [];
  setup.venue.onAccountReport((report) => accountReports.push(report));
  const perp = (fields: Parameters<typeof order>[0]) => order({ symbol: BTC_PERP.symbol, ...fields });
  const book = (bid: string, ask: string) => quote(setup.clock.now(), [[bid, '100']], [[ask, '100']], BTC_PERP.symbol);
  const print = (price: string, aggressor: 'buy' | 'sell' = 'sell') => trade(setup.clock.now(), price, '0.001', aggressor, BTC_PERP.symbol);
  return { ...setup, accountReports, perp, book, print };
}

