// fillstate's public library API.
export * from './domain/decimal.ts';
export * from './domain/instrument.ts';
export * from './domain/market-data.ts';
export * from './domain/order-request.ts';
export * from './domain/events.ts';
export * from './domain/fills.ts';
export { validateAmendment, type OrderAmendmentRequest } from './domain/amendment.ts';
export { createEngine, Engine, type EngineOptions, type OrderActor, type OrderFilter, type OrderHandle, type PortfolioActor } from './engine/engine.ts';
export { SimulatedClock, SystemClock, type Clock } from './domain/clock.ts';
export * from './engine/errors.ts';
export type { OrderView } from './engine/order-view.ts';
export { orderMachine, ORDER_MACHINE_VERSION, TERMINAL_ORDER_STATES, type OrderContext, type OrderMachineEvent, type OrderStateName } from '../machines/order.ts';
export { portfolioMachine } from '../machines/portfolio.ts';
export type * from '../adapters/venue.ts';
export { PaperVenue, type PaperVenueOptions } from '../adapters/paper/index.ts';
export { ManualVenue, type ManualVenueOptions } from '../adapters/manual/manual-venue.ts';
export * from '../adapters/market-data/index.ts';
// Positions, the portfolio's gate, signals, sizing and analytics.
export type { AccountView, OpenPositionRequest, PositionHandle } from './engine/engine.ts';
export type { PositionView } from './engine/positions.ts';
export type { RecoveryReport } from './engine/engine.ts';
export type { AlgoAmendment, AlgoFilter, AlgoRequest, AlgoStatus, AlgoView, OrderListFilter, OrderListLegView, OrderListRequest, OrderListStatus, OrderListView, ParentChildView } from './engine/engine.ts';
export { AlgoStateError, UnknownAlgoError } from './engine/algos/errors.ts';
export { AlgoParamsError, ALGO_KINDS, type AlgoKind, type AlgoParams, type AlgoSpec, type AlgoSpecInput } from './domain/algo-params.ts';
export { learnVolumeProfile } from './domain/algo-schedule.ts';
export { OrderListError, ORDER_LIST_KINDS, type OrderListInput, type OrderListKind, type OrderListSpec } from './domain/order-list.ts';
export type { ParentEventDraft } from './domain/algo-events.ts';
export { EventsUnavailableError } from './engine/persistence.ts';
export { NEVER_REACHED_VENUE, type ReconciliationReport, type RecoveryFlag } from './engine/recovery.ts';
export { openStore, Store, StoreOpenError, JournalSequenceError, type StoreOptions, type StoreStats, type CommitInfo } from './store/index.ts';
export { planSignal, type Signal, type SignalDefaults, type SignalOutcome, type SizingMethod } from './engine/signals.ts';
export { positionMachine, POSITION_MACHINE_VERSION, type PositionContext, type PositionMachineEvent, type PositionMargin, type PositionStateName } from '../machines/position.ts';
export type { TradingStateName } from '../machines/portfolio.ts';
export { checkAmend, checkLossLimits, checkOrder, orderReducesExposure, type Denial, type DenialReason, type RiskLimits } from './risk/checks.ts';
export { resizeTakeProfits, resolveProtection, type PlanInputs, type PositionPlan, type ResolvedProtection, type ScalingPlan } from './risk/protection.ts';
export {
  capPositionSize, sizeByConfidence, sizeByCorrelation, sizeByFixedAmount, sizeByFixedFraction, sizeByKelly, sizeByRisk, sizeByVolatility, type PositionSize,
} from './risk/sizing.ts';
export { createLedger, equity, freeBalance, type Ledger } from './domain/ledger.ts';
export { applyPositionFill, liquidationPrice, leverageOf, unrealizedPnl, type NetPosition } from './domain/position-accounting.ts';
export { EXIT_REASONS, createTradeRecord, type ExitReason, type TradeRecord } from './analytics/trade-record.ts';
export { summarizePerformance, type PerformanceSummary } from './analytics/performance.ts';
export { summarizeExecution, type ExecutionRecord, type ExecutionSummary } from './analytics/execution.ts';
export { ExecutionTracker, type ExecutionFilter } from './analytics/execution-tracker.ts';
export { computeStatistics, groupTrades, type ReportStatistics, type StatisticsInput } from './analytics/report-statistics.ts';
export { runBacktest, type BacktestOptions, type BacktestResult } from './backtest/runner.ts';
export { parseBacktestConfig, type BacktestConfig } from './backtest/config.ts';
export type { Strategy, StrategyContext, StopStrategy } from './backtest/strategy.ts';
