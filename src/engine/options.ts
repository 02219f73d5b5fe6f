// What an engine is made with (EngineOptions) and what its start() reports (RecoveryReport).
import type { Logger } from 'pino';
import type { Venue } from '../../adapters/venue.ts';
import type { Clock } from '../domain/clock.ts';
import type { RiskLimits } from '../risk/checks.ts';
import type { JournalStore } from '../store/journal-store.ts';
import type { ReconciliationReport } from './recovery.ts';
import type { SignalDefaults } from './signals.ts';

export interface EngineOptions {
  readonly venues: readonly Venue[];
  /** Defaults to wall time. Pass a SimulatedClock for deterministic, faster-than-real-time runs. */
  readonly clock?: Clock;
  /** Defaults to pino at 'warn' on stderr. */
  readonly logger?: Logger;
  /** Part of generated ids (after the engine's namespace `fs-`); defaults to one derived from the clock. */
  readonly clientOrderIdPrefix?: string;
  /** Pre-trade limits the portfolio enforces; an absent limit is not checked. */
  readonly risk?: RiskLimits;
  /** How signals are sized and protected when a signal does not say. */
  readonly signals?: SignalDefaults;
  /**
   * Durable journal, snapshots and order intents (src/store). With it, start() restores every working actor
   * and reconciles with each venue; the caller owns the store and closes it after stop().
   */
  readonly store?: JournalStore;
  /** Without a store: how many recent events eventsSince() can serve (default 100,000). */
  readonly eventHistory?: number;
  /** How long (clock ms) a finished order or closed position stays in memory; default 60,000. */
  readonly finishedGraceMs?: number;
  /**
   * How often (clock ms) a locally trailed stop's new level is written to its order and position (and so to
   * the journal); the trigger index always fires at the level it has. Default 1,000.
   */
  readonly trailingFlushMs?: number;
  /** How many finished orders' final views getOrder/listOrders still answer from memory; default 10,000. */
  readonly finishedOrdersKept?: number;
  /**
   * How many of the most recent orders executionQuality() covers; default 10,000, so a daemon's memory does not
   * grow with the orders it has finished (a report over any period reads the journal: `fillstate report`).
   */
  readonly executionOrdersKept?: number;
}

/** What start() found and did: actors restored from the store and each venue's reconciliation. */
export interface RecoveryReport {
  readonly restoredOrders: number;
  readonly restoredPositions: number;
  readonly restoredPortfolio: boolean;
  readonly lastSequence: number;
  readonly venues: readonly ReconciliationReport[];
  /** Venue balance totals that differ from the ledger after reconciliation (currency -> venue, ledger). */
  readonly balanceDifferences: Readonly<Record<string, { venue: string; ledger: string }>>;
}
