// The example strategy and the default of `fillstate backtest`: the daemon's demo signal source (long, close,
// short, close, each with a stop and a take-profit) on the first instrument, every `everyMs` of simulated time.
import { startDemoSignals } from '../daemon/demo-signals.ts';
import type { Strategy } from './strategy.ts';

/** Signals a minute apart unless the config's strategy section says `everyMs`. */
export const DEMO_SIGNAL_INTERVAL_MS = 60_000;

export const demoStrategy: Strategy & { readonly name: string } = {
  name: 'demo signals',
  start(context) {
    const symbol = context.instruments[0]?.symbol;
    if (symbol === undefined) throw new Error('the demo strategy needs an instrument');
    const everyMs = context.settings.everyMs ?? DEMO_SIGNAL_INTERVAL_MS;
    if (typeof everyMs !== 'number' || !Number.isSafeInteger(everyMs) || everyMs < 1) throw new Error(`strategy.everyMs must be a positive whole number of milliseconds, got ${JSON.stringify(everyMs)}`);
    return startDemoSignals({ engine: context.engine, clock: context.clock, symbol, everyMs, report: () => {} });
  },
};
