// Public entry of the market-data adapters: synthetic markets, CSV history, bars as trades, replay drivers.
export { createSyntheticMarket, mulberry32, randomInteger, type RandomSource, type SyntheticMarket, type SyntheticMarketOptions } from './synthetic.ts';
export {
  BAR_COLUMNS,
  CsvFormatError,
  QUOTE_COLUMNS,
  TRADE_COLUMNS,
  parseBarsCsv,
  parseQuotesCsv,
  parseTimestamp,
  parseTradesCsv,
  type BarCsvOptions,
  type CsvReplayOptions,
} from './csv.ts';
export { availableAt, barToTrades, expandBarsToTrades } from './bars.ts';
export { replay, replayInRealTime, type MarketDataSink, type RealTimeReplayOptions } from './replay.ts';
