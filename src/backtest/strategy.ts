// The strategy contract: a module whose default export starts a strategy on an engine, the same library API
// live and in a backtest (market data in; signals, orders, positions out), and the loader of such modules.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../domain/clock.ts';
import type { Instrument } from '../domain/instrument.ts';
import type { MarketDataListener } from '../domain/market-data.ts';
import type { Engine } from '../engine/engine.ts';

export interface StrategyContext {
  /** The engine: submitSignal, submitOrder, openPosition, closePosition, subscribe, account, ... */
  readonly engine: Engine;
  /** The engine's clock: simulated in a backtest, so timers fire in simulated time. */
  readonly clock: Clock;
  /** The instruments being traded, first one first. */
  readonly instruments: readonly Instrument[];
  /** The strategy's own settings (the config's `strategy` section), as given. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Market data of the given symbols as the venue delivers it; returns the unsubscribe function. */
  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void;
  /** A line for the person running it (stderr in a backtest). */
  log(message: string): void;
}

/** What a started strategy may hand back: how to stop it (timers, subscriptions). */
export type StopStrategy = () => void | Promise<void>;

export interface Strategy {
  /** For the report; defaults to the module's file name. */
  readonly name?: string;
  start(context: StrategyContext): void | StopStrategy | Promise<void | StopStrategy>;
}

/** A module's default export: a Strategy object, or its start function alone. */
export type StrategyExport = Strategy | Strategy['start'];

export class StrategyLoadError extends Error {
  override name = 'StrategyLoadError';
}

/** Imports a strategy module (TypeScript or JavaScript) and checks its default export. */
export async function loadStrategy(modulePath: string): Promise<Strategy & { readonly name: string }> {
  const absolute = path.resolve(modulePath);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (error) {
    throw new StrategyLoadError(`cannot load the strategy ${modulePath}: ${(error as Error).message}`);
  }
  const fallbackName = path.basename(absolute).replace(/\.[cm]?[jt]s$/, '');
  return asStrategy(loaded.default, modulePath, fallbackName);
}

export function asStrategy(value: unknown, where: string, fallbackName: string): Strategy & { readonly name: string } {
  if (typeof value === 'function') return { name: fallbackName, start: value as Strategy['start'] };
  if (typeof value === 'object' && value !== null && typeof (value as Strategy).start === 'function') {
    const strategy = value as Strategy;
    return { name: strategy.name ?? fallbackName, start: (context) => strategy.start(context) };
  }
  throw new StrategyLoadError(`the strategy ${where} must export by default a function (context) => stop? or an object with start(context); it exports ${value === undefined ? 'nothing' : typeof value}`);
}
