// Deterministic Binance-format trade files for backtest tests and the bench: a seeded random walk of prices.
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../../adapters/market-data/synthetic.ts';

export interface TradeFileOptions {
  readonly seed: number;
  readonly rows: number;
  /** First trade time, epoch ms; spot files from 2025 on carry microseconds. */
  readonly startTime: number;
  /** Milliseconds between trades. */
  readonly stepMs: number;
  /** Starting price in cents. */
  readonly startCents?: number;
  readonly microseconds?: boolean;
}

/** One Binance spot trades row per trade (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match). */
export function* binanceTradeRows(options: TradeFileOptions): Generator<string> {
  const random = mulberry32(options.seed);
  let cents = options.startCents ?? 5_000_000;
  for (let index = 0; index < options.rows; index++) {
    cents = Math.max(100, cents + Math.round((random() - 0.5) * 1_000));
    const lots = 1 + Math.floor(random() * 500);
    const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}000000`;
    const quantity = `0.${String(lots).padStart(5, '0')}000`;
    const quoteQuantity = ((cents * lots) / 10_000_000).toFixed(8);
    const time = options.startTime + index * options.stepMs;
    yield `${1_000_000 + index},${price},${quantity},${quoteQuantity},${options.microseconds === true ? time * 1000 : time},${random() < 0.5 ? 'True' : 'False'},True`;
  }
}

export function writeBinanceTrades(file: string, options: TradeFileOptions): void {
  writeFileSync(file, `${[...binanceTradeRows(options)].join('\n')}\n`);
}

/** The same rows streamed to disk, for files too large to build in memory. */
export async function streamBinanceTrades(file: string, options: TradeFileOptions): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk: string[] = [];
  for (const row of binanceTradeRows(options)) {
    chunk.push(row);
    if (chunk.length === 10_000) {
      const text = `${chunk.join('\n')}\n`;
      bytes += text.length;
      if (!out.write(text)) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length > 0) {
    const text = `${chunk.join('\n')}\n`;
    bytes += text.length;
    out.write(text);
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
