// Validation of an amend request against the order it changes and its instrument.
import { z } from 'zod';
import { decimal, type DecimalString } from './decimal.ts';
import type { Instrument } from './instrument.ts';
import { optionalDecimalInput, OrderRequestError, PRICED_TYPES, priceIssue, quantityIssue, STOP_PRICED_TYPES, type OrderAmendmentTerms, type OrderType } from './order-request.ts';

export type OrderAmendmentRequest = OrderAmendmentTerms;

const amendmentSchema = z.strictObject({
  price: optionalDecimalInput('price'),
  quantity: optionalDecimalInput('quantity'),
  stopPrice: optionalDecimalInput('stopPrice'),
});

/** What the amendment is checked against: the order as it stands now. */
export interface AmendableOrder {
  readonly type: OrderType;
  readonly filledQuantity: DecimalString;
  readonly quantity: DecimalString;
}

/** Parses and checks an amendment; returns it in canonical form or throws OrderRequestError. */
export function validateAmendment(input: unknown, order: AmendableOrder, instrument: Instrument): OrderAmendmentRequest {
  const result = amendmentSchema.safeParse(input);
  if (!result.success) throw new OrderRequestError(result.error.issues.map((issue) => issue.message));
  const amendment = result.data;
  const issues: string[] = [];
  if (amendment.price === undefined && amendment.quantity === undefined && amendment.stopPrice === undefined) {
    issues.push('an amendment needs at least one of price, quantity or stopPrice');
  }
  if (amendment.price !== undefined && !PRICED_TYPES.includes(order.type)) issues.push(`a ${order.type} order has no price to amend`);
  if (amendment.stopPrice !== undefined && !STOP_PRICED_TYPES.includes(order.type)) issues.push(`a ${order.type} order has no stopPrice to amend`);
  for (const field of ['price', 'stopPrice'] as const) {
    const value = amendment[field];
    const problem = value === undefined ? undefined : priceIssue(field, value, instrument);
    if (problem) issues.push(problem);
  }
  if (amendment.quantity !== undefined) {
    const lotProblem = quantityIssue(amendment.quantity, instrument);
    if (lotProblem) {
      issues.push(lotProblem);
    } else if (!decimal(amendment.quantity).gt(order.filledQuantity)) {
      issues.push(`quantity ${amendment.quantity} must be above the filled quantity ${order.filledQuantity}`);
    }
  }
  if (issues.length > 0) throw new OrderRequestError(issues);
  return amendment;
}
