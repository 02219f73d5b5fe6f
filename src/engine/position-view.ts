// The plain-JSON view of a position that getPosition/listPositions, the API and the inspector show.
import type { PositionContext, PositionStateName } from '../../machines/position.ts';
import type { ExitReason } from '../analytics/trade-record.ts';
import type { DecimalString } from '../domain/decimal.ts';
import type { ReportedMarginPosition } from '../domain/margin-ledger.ts';
import { liquidationPrice, notionalExposure, unrealizedPnl } from '../domain/position-accounting.ts';
import type { PositionActor } from './positions.ts';

export interface PositionView {
  readonly positionId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly status: PositionStateName;
  /** The stop plan's state while open: initial, breakEven or trailing; and base or scaled. */
  readonly stopPhase?: string;
  readonly sizePhase?: string;
  readonly quantity: DecimalString;
  readonly averageEntryPrice?: DecimalString;
  readonly realizedPnl: DecimalString;
  readonly fees: DecimalString;
  /** Perpetuals: funding received (+) and paid (−) while held; the trade record's net PnL includes it. */
  readonly funding?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly stopOrderId?: string;
  readonly takeProfitOrderIds: readonly string[];
  readonly workingOrderIds: readonly string[];
  readonly exitReason?: ExitReason;
  readonly planError?: string;
  readonly createdAt: number;
  readonly openedAt?: number;
  readonly closedAt?: number;
  /** The latest market price, when known, and what the open quantity is worth and has gained at it. */
  readonly markPrice?: DecimalString;
  readonly unrealizedPnl?: DecimalString;
  /** Absolute quantity × mark. */
  readonly notional?: DecimalString;
  /**
   * Margin positions: leverage, maintenance margin rate (when the request gave them), margin mode, and the
   * liquidation price: the venue's own when it reported one (`liquidationPriceSource` 'venue'), else the
   * isolated-margin estimate from the request's terms ('estimate').
   */
  readonly margin?: {
    readonly leverage?: DecimalString;
    readonly maintenanceMarginRate?: DecimalString;
    readonly marginMode?: 'isolated' | 'cross';
    readonly liquidationPrice?: DecimalString;
    readonly liquidationPriceSource?: 'venue' | 'estimate';
  };
}

/**
 * The position as JSON; with `markPrice` (the latest market price) also its unrealized PnL and notional. With
 * the venue's report of an open position (`reported`), the venue's mark, liquidation price, leverage and
 * margin mode win over the engine's own figures.
 */
export function positionView(actor: PositionActor, markPrice?: DecimalString, reported?: ReportedMarginPosition): PositionView {
  return positionViewOf(actor.getSnapshot(), markPrice, reported);
}

/** The same view from a snapshot, live or saved. */
export function positionViewOf(snapshot: { value: unknown; context: PositionContext }, markPrice?: DecimalString, reported?: ReportedMarginPosition): PositionView {
  const context = snapshot.context;
  const venue = reported !== undefined && reported.direction === context.direction && context.quantity !== '0' ? reported : undefined;
  const mark = venue?.markPrice ?? markPrice;
  const value = snapshot.value;
  const status = (typeof value === 'string' ? value : 'open') as PositionStateName;
  const open = typeof value === 'object' ? (value as { open: { stop: string; size: string } }).open : undefined;
  return {
    positionId: context.positionId,
    venue: context.venue,
    symbol: context.symbol,
    direction: context.direction,
    status,
    stopPhase: open?.stop,
    sizePhase: open?.size,
    quantity: context.quantity,
    averageEntryPrice: context.averageEntryPrice,
    realizedPnl: context.realizedPnl,
    fees: context.fees,
    ...(context.funding !== undefined ? { funding: context.funding } : {}),
    stopPrice: context.stopPrice,
    stopOrderId: context.stopOrderId,
    takeProfitOrderIds: context.takeProfitOrderIds,
    workingOrderIds: context.workingOrderIds,
    exitReason: context.exitReason,
    planError: context.planError,
    createdAt: context.createdAt,
    openedAt: context.openedAt,
    closedAt: context.closedAt,
    ...(mark !== undefined && context.quantity !== '0'
      ? { markPrice: mark, unrealizedPnl: unrealizedPnl(context, mark), notional: notionalExposure(context, mark) }
      : {}),
    ...marginOf(context, venue),
  };
}

function marginOf(context: PositionContext, venue: ReportedMarginPosition | undefined): Pick<PositionView, 'margin'> {
  if (context.margin === undefined && venue === undefined) return {};
  const estimate = context.margin === undefined || context.averageEntryPrice === undefined || context.quantity === '0'
    ? undefined
    : liquidationPrice({ direction: context.direction, entryPrice: context.averageEntryPrice, leverage: context.margin.leverage, maintenanceMarginRate: context.margin.maintenanceMarginRate });
  const liquidation = venue?.liquidationPrice ?? estimate;
  return {
    margin: {
      ...context.margin,
      ...(venue?.leverage !== undefined ? { leverage: venue.leverage } : {}),
      ...(venue?.marginMode !== undefined ? { marginMode: venue.marginMode } : {}),
      liquidationPrice: liquidation,
      ...(liquidation === undefined ? {} : { liquidationPriceSource: venue?.liquidationPrice !== undefined ? 'venue' as const : 'estimate' as const }),
    },
  };
}
