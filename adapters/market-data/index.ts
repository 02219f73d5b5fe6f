// Public entry of the market-data adapters: synthetic markets, CSV, Binance and Tardis files (streamed), bars as trades, replay drivers.
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
export { readBinanceFile, parseBinanceFileName, type BinanceKind, type BinanceReadOptions } from './binance.ts';
export { readTardisFile, tardisKindOfHeader, type TardisKind, type TardisReadOptions } from './tardis.ts';
export { readGenericCsvFile, type GenericCsvReadOptions } from './csv-file.ts';
export { DataFileError } from './data-file-error.ts';
export { readLines } from './file-lines.ts';
export { catalogDataFiles, listDataFiles, mergeDataFiles, type CatalogOptions, type DataCatalog, type DataFile, type DataFileOptions, type DataFormat } from './data-files.ts';
export { DecimalsSeen, decimalPlaces, inferredInstrumentSpec } from './infer-instrument.ts';
export { splitExchangeSymbol, type InferredSymbol } from './symbols.ts';
