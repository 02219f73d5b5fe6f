// The demo signal source of `fillstate start` (off with --no-demo): every few seconds a strategy-like signal
// goes through engine.submitSignal, so a fresh daemon shows positions opening, protected and closing.
import type { Clock, TimerHandle } from '../domain/clock.ts';
import type { Engine } from '../engine/engine.ts';
import type { Signal } from '../engine/signals.ts';

export interface DemoSignalOptions {
  readonly engine: Engine;
  readonly clock: Clock;
  readonly symbol: string;
  readonly everyMs: number;
  /** Told of each signal and what came of it (or why it was refused). */
  readonly report: (signal: Signal, outcome: string) => void;
}

/** Long, close, short, close, ... each with a percent stop and a 2R take-profit. */
function signalFor(turn: number, symbol: string): Signal {
  const plan = { stopLoss: { method: 'percent', percent: '0.05' }, takeProfit: [{ target: { method: 'riskReward', multiple: '2' }, fraction: '1' }] } as const;
  switch (turn % 4) {
    case 0: return { symbol, action: 'buy', confidence: '0.7', plan, sizing: { method: 'fixedFraction', fraction: '0.01' } };
    case 2: return { symbol, action: 'sell', confidence: '0.6', plan, sizing: { method: 'fixedFraction', fraction: '0.01' } };
    default: return { symbol, action: 'close', confidence: '1' };
  }
}

export function startDemoSignals(options: DemoSignalOptions): () => void {
  const { engine, clock } = options;
  let turn = 0;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    const signal = signalFor(turn++, options.symbol);
    try {
      const outcome = engine.submitSignal(signal);
      options.report(signal, outcome.status === 'refused' ? `refused: ${outcome.reason}` : outcome.status === 'denied' ? `denied: ${outcome.denial.message}` : `${outcome.status} ${outcome.positionId}`);
    } catch (error) {
      options.report(signal, `error: ${(error as Error).message}`);
    }
    timer = clock.setTimeout(next, options.everyMs);
  };
  timer = clock.setTimeout(next, Math.min(options.everyMs, 2_000));
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
  };
}
