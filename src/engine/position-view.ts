// The plain-JSON view of a position that getPosition/listPositions, the API and the inspector show.
import type { PositionContext, PositionStateName } from '../../machines/position.ts';
import type { ExitReason } from '../analytics/trade-record.ts';
import type { DecimalString } from '../domain/decimal.ts';
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
  /** Margin positions: leverage, maintenance margin rate, and the isolated-margin liquidation estimate. */
  readonly margin?: { readonly leverage: DecimalString; readonly maintenanceMarginRate: DecimalString; readonly liquidationPrice?: DecimalString };
}

/** The position as JSON; with `markPrice` (the latest market price) also its unrealized PnL and notional. */
export function positionView(actor: PositionActor, markPrice?: DecimalString): PositionView {
  return positionViewOf(actor.getSnapshot(), markPrice);
}

/** The same view from a snapshot, live or saved. */
export function positionViewOf(snapshot: { value: unknown; context: PositionContext }, markPrice?: DecimalString): PositionView {
  const context = snapshot.context;
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
    stopPrice: context.stopPrice,
    stopOrderId: context.stopOrderId,
    takeProfitOrderIds: context.takeProfitOrderIds,
    workingOrderIds: context.workingOrderIds,
    exitReason: context.exitReason,
    planError: context.planError,
    createdAt: context.createdAt,
    openedAt: context.openedAt,
    closedAt: context.closedAt,
    ...(markPrice !== undefined && context.quantity !== '0'
      ? { markPrice, unrealizedPnl: unrealizedPnl(context, markPrice), notional: notionalExposure(context, markPrice) }
      : {}),
    ...(context.margin === undefined
      ? {}
      : {
          margin: {
            ...context.margin,
            liquidationPrice: context.averageEntryPrice === undefined || context.quantity === '0'
              ? undefined
              : liquidationPrice({ direction: context.direction, entryPrice: context.averageEntryPrice, leverage: context.margin.leverage, maintenanceMarginRate: context.margin.maintenanceMarginRate }),
          },
        }),
  };
}
