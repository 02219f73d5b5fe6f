// fillstate's public library API.
export * from './domain/decimal.ts';
export * from './domain/instrument.ts';
export * from './domain/market-data.ts';
export * from './domain/order-request.ts';
export * from './domain/events.ts';
export * from './domain/fills.ts';
export { validateAmendment, type OrderAmendmentRequest } from './domain/amendment.ts';
export { createEngine, Engine, type EngineOptions, type OrderActor, type OrderFilter, type OrderHandle, type PortfolioActor } from './engine/engine.ts';
export { SimulatedClock, SystemClock, type Clock } from './engine/clock.ts';
export * from './engine/errors.ts';
export type { OrderView } from './engine/order-view.ts';
export { orderMachine, ORDER_MACHINE_VERSION, TERMINAL_ORDER_STATES, type OrderContext, type OrderMachineEvent, type OrderStateName } from '../machines/order.ts';
export { portfolioMachine } from '../machines/portfolio.ts';
export type * from '../adapters/venue.ts';
export { PaperVenue, type PaperVenueOptions } from '../adapters/paper/index.ts';
export { ManualVenue, type ManualVenueOptions } from '../adapters/manual/manual-venue.ts';
export * from '../adapters/market-data/index.ts';
