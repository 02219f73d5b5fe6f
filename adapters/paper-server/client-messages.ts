// Validation of what a client sends the paper venue server: a clear message for anything malformed.
import { z } from 'zod';
import type { ClientMessage } from '../websocket-venue/protocol.ts';

const decimalText = z.string().min(1);
const requestId = z.number().int().nonnegative();

const venueOrder = z.object({
  clientOrderId: z.string().min(1).max(128),
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  type: z.string().min(1),
  quantity: decimalText,
  price: decimalText.optional(),
  stopPrice: decimalText.optional(),
  trailingOffset: decimalText.optional(),
  trailingPercent: decimalText.optional(),
  activationPrice: decimalText.optional(),
  timeInForce: z.string().min(1),
  expireAt: z.number().int().optional(),
  postOnly: z.boolean(),
  reduceOnly: z.boolean(),
});

const venueOrderList = z.object({
  listId: z.string().min(1).max(128),
  kind: z.enum(['oco']),
  symbol: z.string().min(1),
  // Bounded for the message's sake; how many legs a list may have is the venue's to say.
  orders: z.array(venueOrder).max(32),
});

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocol: z.number().int(), session: z.string().min(1).max(128), resumeAfter: z.number().int().nonnegative().nullable() }),
  z.object({ type: z.literal('submit'), id: requestId, order: venueOrder }),
  z.object({ type: z.literal('submitList'), id: requestId, list: venueOrderList }),
  z.object({
    type: z.literal('amend'),
    id: requestId,
    clientOrderId: z.string().min(1),
    amendment: z.object({ price: decimalText.optional(), quantity: decimalText.optional(), stopPrice: decimalText.optional() }),
  }),
  z.object({ type: z.literal('cancel'), id: requestId, clientOrderId: z.string().min(1) }),
  z.object({
    type: z.literal('query'),
    id: requestId,
    query: z.enum(['order', 'orderFills', 'openOrders', 'balances', 'fillsSince', 'admin']),
    clientOrderId: z.string().min(1).optional(),
    afterSequence: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('subscribe'), symbols: z.array(z.string().min(1)).max(1000) }),
  z.object({ type: z.literal('ping'), at: z.number() }),
  z.object({ type: z.literal('pong'), at: z.number() }),
]);

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; id: number | null; error: string };

/** Parses one text frame; on failure says which field is wrong, with the request id when there is one. */
export function parseClientMessage(text: string): ParsedClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: 'message is not valid JSON' };
  }
  const id = typeof json === 'object' && json !== null && 'id' in json && typeof json.id === 'number' ? json.id : null;
  const parsed = clientMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'message' : issue.path.join('.');
    return { ok: false, id, error: `invalid ${where}: ${issue?.message ?? 'malformed'}` };
  }
  const message = parsed.data;
  if (message.type === 'query') {
    if ((message.query === 'order' || message.query === 'orderFills') && message.clientOrderId === undefined) {
      return { ok: false, id, error: `invalid clientOrderId: required for an ${message.query} query` };
    }
    if (message.query === 'fillsSince' && message.afterSequence === undefined) {
      return { ok: false, id, error: 'invalid afterSequence: required for a fillsSince query' };
    }
  }
  return { ok: true, message: message as ClientMessage };
}
