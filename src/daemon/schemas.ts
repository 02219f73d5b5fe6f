// Request schemas of the HTTP API (strict: an unknown field is an error, not ignored). Order and amendment
// bodies are parsed by the engine's own schemas (src/domain), so the API and the library accept the same thing.
import { z } from 'zod';
import { isDecimalText } from '../domain/decimal.ts';
import { signalSchema } from '../engine/signals.ts';
import { EXIT_REASONS } from '../analytics/trade-record.ts';
import type { OrderStateName } from '../../machines/order.ts';

/** Every order state name (machines/order.ts), for the status filter. */
export const ORDER_STATE_NAMES = [
  'pending', 'emulated', 'triggered', 'submitted', 'open', 'partial', 'pendingCancel', 'pendingUpdate',
  'filled', 'canceled', 'expired', 'rejected', 'denied',
] as const satisfies readonly OrderStateName[];

const decimalString = (name: string) =>
  z.union([z.string(), z.number()], { error: `${name} must be a decimal string such as "0.5"` }).transform((value, context) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (typeof value === 'number' && !Number.isFinite(value)) {
      context.addIssue({ code: 'custom', message: `${name} must be a finite number` });
      return z.NEVER;
    }
    if (!isDecimalText(text)) {
      context.addIssue({ code: 'custom', message: `${name} must be a decimal number, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return text;
  });

const profitTriggerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percent'), percent: decimalString('percent') }),
  z.strictObject({ kind: z.literal('rMultiple'), multiple: decimalString('multiple') }),
]);

/** A position's protection plan (src/risk/protection.ts PositionPlan), checked field by field. */
export const positionPlanSchema = z.strictObject({
  stopLoss: z
    .discriminatedUnion('method', [
      z.strictObject({ method: z.literal('price'), price: decimalString('price') }),
      z.strictObject({ method: z.literal('percent'), percent: decimalString('percent') }),
      z.strictObject({ method: z.literal('atr'), multiple: decimalString('multiple') }),
      z.strictObject({ method: z.literal('confidence'), minPercent: decimalString('minPercent'), maxPercent: decimalString('maxPercent') }),
    ])
    .optional(),
  takeProfit: z
    .array(
      z.strictObject({
        target: z.discriminatedUnion('method', [
          z.strictObject({ method: z.literal('price'), price: decimalString('price') }),
          z.strictObject({ method: z.literal('percent'), percent: decimalString('percent') }),
          z.strictObject({ method: z.literal('riskReward'), multiple: decimalString('multiple') }),
          z.strictObject({ method: z.literal('atr'), multiple: decimalString('multiple') }),
        ]),
        fraction: decimalString('fraction'),
      }),
    )
    .min(1)
    .max(20)
    .optional(),
  breakEven: z.strictObject({ trigger: profitTriggerSchema }).optional(),
  trailing: z
    .strictObject({
      distance: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('offset'), offset: decimalString('offset') }),
        z.strictObject({ kind: z.literal('percent'), percent: decimalString('percent') }),
        z.strictObject({ kind: z.literal('atr'), multiple: decimalString('multiple') }),
      ]),
      activation: profitTriggerSchema.optional(),
    })
    .optional(),
  scaleIn: z
    .strictObject({
      fraction: decimalString('fraction'),
      levels: z.int().min(1).max(20),
      spacing: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('percent'), percent: decimalString('percent') }),
        z.strictObject({ kind: z.literal('atr'), multiple: decimalString('multiple') }),
      ]),
      schedule: z.enum(['equal', 'linear', 'exponential', 'fibonacci']),
    })
    .optional(),
});

export const sizingSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('fixedAmount'), amount: decimalString('amount') }),
  z.strictObject({ method: z.literal('fixedFraction'), fraction: decimalString('fraction') }),
  z.strictObject({ method: z.literal('risk'), riskFraction: decimalString('riskFraction') }),
  z.strictObject({
    method: z.literal('kelly'),
    winRate: decimalString('winRate'),
    winLossRatio: decimalString('winLossRatio'),
    multiplier: decimalString('multiplier').optional(),
    maxFraction: decimalString('maxFraction'),
  }),
  z.strictObject({ method: z.literal('volatility'), riskFraction: decimalString('riskFraction'), atrMultiple: decimalString('atrMultiple') }),
]);

const planInputsSchema = z.strictObject({ atr: decimalString('atr').optional(), confidence: decimalString('confidence').optional() });

export const openPositionSchema = z.strictObject({
  symbol: z.string().min(1),
  venue: z.string().min(1).optional(),
  direction: z.enum(['long', 'short'], { error: 'direction must be "long" or "short"' }),
  quantity: decimalString('quantity'),
  entry: z
    .discriminatedUnion('type', [z.strictObject({ type: z.literal('market') }), z.strictObject({ type: z.literal('limit'), price: decimalString('price') })], {
      error: 'entry.type must be "market" or "limit"',
    })
    .optional(),
  plan: positionPlanSchema.optional(),
  inputs: planInputsSchema.optional(),
});

/** The engine's signal schema, with the plan and sizing checked here rather than taken on trust. */
export const signalBodySchema = signalSchema.extend({ plan: positionPlanSchema.optional(), sizing: sizingSchema.optional() });

export const closePositionSchema = z.strictObject({
  quantity: decimalString('quantity').optional(),
  reason: z.enum(EXIT_REASONS, { error: `reason must be one of ${EXIT_REASONS.join(', ')}` }).optional(),
});

export const updateStopSchema = z.strictObject({ stopPrice: decimalString('stopPrice') });
export const updateTakeProfitSchema = z.strictObject({ price: decimalString('price') });

const reasonText = z.string().trim().min(1, 'reason must not be empty').max(500, 'reason is limited to 500 characters');
export const haltSchema = z.strictObject({ reason: reasonText });
export const closeAllSchema = z.strictObject({ reason: reasonText.optional() });
export const emptySchema = z.strictObject({});

/** Epoch milliseconds, or an ISO-8601 date-time. */
const timeParameter = (name: string) =>
  z.string().transform((text, context) => {
    const value = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(value)) {
      context.addIssue({ code: 'custom', message: `${name} must be epoch milliseconds or an ISO-8601 time, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return value;
  });

const countParameter = (name: string, max: number) =>
  z.string().transform((text, context) => {
    const value = Number(text);
    if (!/^\d{1,9}$/.test(text) || value < 1 || value > max) {
      context.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return value;
  });

const sequenceParameter = (name: string) =>
  z.string().transform((text, context) => {
    if (!/^\d{1,15}$/.test(text)) {
      context.addIssue({ code: 'custom', message: `${name} must be a sequence number (0 or more), got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return Number(text);
  });

const booleanParameter = (name: string) =>
  z.enum(['true', 'false'], { error: `${name} must be "true" or "false"` }).transform((text) => text === 'true');

export const listOrdersQuerySchema = z.strictObject({
  /** One status or several, comma-separated. */
  status: z
    .string()
    .transform((text, context) => {
      const statuses = text.split(',').map((part) => part.trim());
      const unknown = statuses.filter((status) => !(ORDER_STATE_NAMES as readonly string[]).includes(status));
      if (unknown.length > 0) {
        context.addIssue({ code: 'custom', message: `unknown status ${unknown.map((s) => JSON.stringify(s)).join(', ')}; statuses are ${ORDER_STATE_NAMES.join(', ')}` });
        return z.NEVER;
      }
      return statuses as (typeof ORDER_STATE_NAMES)[number][];
    })
    .optional(),
  symbol: z.string().min(1).optional(),
  venue: z.string().min(1).optional(),
  parentId: z.string().min(1).optional(),
  live: booleanParameter('live').optional(),
  since: timeParameter('since').optional(),
  until: timeParameter('until').optional(),
  limit: countParameter('limit', 10_000).optional(),
});

export const listPositionsQuerySchema = z.strictObject({
  symbol: z.string().min(1).optional(),
  status: z.enum(['opening', 'open', 'closing', 'closed'], { error: 'status must be one of opening, open, closing, closed' }).optional(),
  open: booleanParameter('open').optional(),
});

export const fillsQuerySchema = z.strictObject({
  orderId: z.string().min(1).optional(),
  symbol: z.string().min(1).optional(),
  since: timeParameter('since').optional(),
  until: timeParameter('until').optional(),
  after: sequenceParameter('after').optional(),
  limit: countParameter('limit', 10_000).optional(),
});

export const eventsQuerySchema = z.strictObject({
  after: sequenceParameter('after').optional(),
  limit: countParameter('limit', 10_000).optional(),
});

export const streamQuerySchema = z.strictObject({
  after: sequenceParameter('after').optional(),
  token: z.string().optional(),
});

export const accountQuerySchema = z.strictObject({ quote: z.string().min(1).optional() });

// ---- Algorithms and order lists (/v1/algos, /v1/order-lists). Their bodies are checked whole by the engine
// (src/domain/algo-params.ts, src/domain/order-list.ts), which names every reason. ----

const parentStatus = <T extends readonly [string, ...string[]]>(statuses: T) => z.enum(statuses, { error: `status must be one of ${statuses.join(', ')}` }).optional();

export const listAlgosQuerySchema = z.strictObject({
  kind: z.enum(['twap', 'vwap', 'pov', 'iceberg', 'chase'], { error: 'kind must be one of twap, vwap, pov, iceberg, chase' }).optional(),
  symbol: z.string().min(1).optional(),
  status: parentStatus(['pending', 'working', 'paused', 'stopping', 'completed', 'canceled', 'expired', 'failed'] as const),
  live: booleanParameter('live').optional(),
});

export const listOrderListsQuerySchema = z.strictObject({
  kind: z.enum(['oto', 'oco', 'ouo', 'bracket'], { error: 'kind must be one of oto, oco, ouo, bracket' }).optional(),
  symbol: z.string().min(1).optional(),
  status: parentStatus(['pending', 'awaitingRelease', 'active', 'canceling', 'completed', 'canceled', 'failed'] as const),
  live: booleanParameter('live').optional(),
});

export const cancelParentSchema = z.strictObject({ reason: z.string().min(1).max(500).optional() });
