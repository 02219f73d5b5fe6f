// Domain events of execution algorithms and order lists (past tense, like order and position events): the
// parent's progress as its children fill, and how it ended. The engine stamps them like the others.
import type { DecimalString } from './decimal.ts';

interface ParentEventFields {
  readonly parentId: string;
  readonly symbol: string;
  /** twap, vwap, pov, iceberg, chase; oto, oco, ouo, bracket. */
  readonly kind: string;
}

export type ParentEventDraft =
  | (ParentEventFields & { readonly type: 'AlgoStarted'; readonly quantity: DecimalString; readonly nextWakeAt?: number })
  | (ParentEventFields & {
      readonly type: 'AlgoProgressed';
      readonly childId: string;
      readonly tradeId: string;
      readonly fillQuantity: DecimalString;
      readonly fillPrice: DecimalString;
      readonly filledQuantity: DecimalString;
      readonly quantity: DecimalString;
      readonly averagePrice: DecimalString;
    })
  | (ParentEventFields & { readonly type: 'AlgoFillRefused'; readonly childId: string; readonly tradeId: string; readonly reason: string })
  | (ParentEventFields & { readonly type: 'AlgoPaused' })
  | (ParentEventFields & { readonly type: 'AlgoResumed' })
  | (ParentEventFields & { readonly type: 'AlgoAmended'; readonly quantity: DecimalString; readonly limitPrice?: DecimalString; readonly pendingQuantity?: DecimalString })
  | (ParentEventFields & { readonly type: 'AlgoAmendRefused'; readonly reason: string })
  | (ParentEventFields & { readonly type: 'AlgoStopping'; readonly reason: string })
  | (ParentEventFields & {
      readonly type: 'AlgoEnded';
      /** completed, canceled, expired or failed. */
      readonly outcome: string;
      readonly filledQuantity: DecimalString;
      readonly quantity: DecimalString;
      readonly averagePrice?: DecimalString;
      readonly reason?: string;
    });
