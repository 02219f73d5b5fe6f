// The client commands about orders, positions and the account, and the kill switch: status, orders, positions,
// submit, cancel, halt, resume, close-all.
import { ApiRequestError, type DaemonClient } from '../daemon/client.ts';
import { EXIT, UsageError, type Values } from './command-line.ts';
import { jsonBody } from './option-values.ts';
import { print, table } from './output.ts';

interface OrderRow {
  orderId: string; symbol: string; side: string; type: string; status: string; quantity: string; filledQuantity: string; price?: string; stopPrice?: string; averagePrice?: string;
}

export async function status(client: DaemonClient, json: boolean): Promise<number> {
  const ready = await client.get<{ ready: boolean; tradingState: string; lastSequence: number; problems: Record<string, string> }>('/ready').catch((error: unknown) => {
    // /ready answers 503 with its body when not ready: that is a status, not a failure.
    if (error instanceof ApiRequestError && error.status === 503) return error.body as { ready: boolean; tradingState: string; lastSequence: number; problems: Record<string, string> };
    throw error;
  });
  const { account } = await client.get<{ account: { tradingState: string; reason?: string; equity?: string; exposure: string; openPositions: number; balances: Record<string, { total: string; reserved?: string }> } }>('/v1/account');
  const { orders: live } = await client.get<{ orders: OrderRow[] }>('/v1/orders', { live: 'true' });
  print(json, { ready, account, liveOrders: live.length }, () =>
    [
      `daemon      ${client.url} ${ready.ready ? 'ready' : `NOT READY: ${Object.values(ready.problems).join('; ')}`}`,
      `trading     ${account.tradingState}${account.reason ? ` (${account.reason})` : ''}`,
      `equity      ${account.equity ?? 'unknown'}   exposure ${account.exposure}`,
      `orders      ${live.length} working   positions ${account.openPositions} open   events ${ready.lastSequence}`,
      `balances    ${Object.entries(account.balances).map(([currency, balance]) => `${currency} ${balance.total}`).join('   ')}`,
    ].join('\n'),
  );
  return EXIT.ok;
}

export async function orders(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ orders: OrderRow[] }>('/v1/orders', { status: values.status, symbol: values.symbol, live: values.live === true ? 'true' : undefined, limit: values.limit });
  print(json, result, () =>
    result.orders.length === 0
      ? 'no orders'
      : table(
          ['ORDER', 'SYMBOL', 'SIDE', 'TYPE', 'STATUS', 'QUANTITY', 'FILLED', 'PRICE', 'AVG'],
          result.orders.map((order) => [order.orderId, order.symbol, order.side, order.type, order.status, order.quantity, order.filledQuantity, order.price ?? order.stopPrice ?? '-', order.averagePrice ?? '-']),
        ),
  );
  return EXIT.ok;
}

export async function positions(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ positions: Array<{ positionId: string; symbol: string; direction: string; status: string; quantity: string; averageEntryPrice?: string; stopPrice?: string; realizedPnl: string }> }>('/v1/positions', {
    open: values.open === true ? 'true' : undefined,
    symbol: values.symbol,
  });
  print(json, result, () =>
    result.positions.length === 0
      ? 'no positions'
      : table(
          ['POSITION', 'SYMBOL', 'DIRECTION', 'STATUS', 'QUANTITY', 'ENTRY', 'STOP', 'REALIZED'],
          result.positions.map((position) => [position.positionId, position.symbol, position.direction, position.status, position.quantity, position.averageEntryPrice ?? '-', position.stopPrice ?? '-', position.realizedPnl]),
        ),
  );
  return EXIT.ok;
}

export async function submit(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  if (values.body !== undefined) body = jsonBody(values.body);
  else {
    if (values.symbol === undefined || values.side === undefined || values.quantity === undefined) {
      throw new UsageError('submit needs --symbol, --side and --quantity (or --body with the whole order as JSON)');
    }
    body = {
      symbol: values.symbol,
      side: values.side,
      type: values.type ?? (values.price === undefined ? 'market' : 'limit'),
      quantity: values.quantity,
      ...(values.price === undefined ? {} : { price: values.price }),
      ...(values['stop-price'] === undefined ? {} : { stopPrice: values['stop-price'] }),
      ...(values['time-in-force'] === undefined ? {} : { timeInForce: values['time-in-force'] }),
      ...(values['client-order-id'] === undefined ? {} : { clientOrderId: values['client-order-id'] }),
    };
  }
  const result = await client.post<{ order: OrderRow; created: boolean }>('/v1/orders', body);
  print(json, result, () => `${result.created ? 'submitted' : 'already exists'}: ${result.order.orderId} ${result.order.side} ${result.order.quantity} ${result.order.symbol} ${result.order.type}, ${result.order.status}`);
  return EXIT.ok;
}

export async function cancel(client: DaemonClient, rest: readonly string[], json: boolean): Promise<number> {
  const [orderId] = rest;
  if (orderId === undefined || rest.length > 1) throw new UsageError('cancel needs exactly one order id: fillstate cancel <orderId>');
  const result = await client.delete<{ order: OrderRow }>(`/v1/orders/${encodeURIComponent(orderId)}`);
  print(json, result, () => `cancel requested: ${orderId} is ${result.order.status}`);
  return EXIT.ok;
}

export async function halt(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.post<{ tradingState: string }>('/v1/halt', { reason: values.reason ?? 'halted from the command line' });
  print(json, result, () => `trading is ${result.tradingState}`);
  return EXIT.ok;
}

export async function resume(client: DaemonClient, json: boolean): Promise<number> {
  const result = await client.post<{ tradingState: string }>('/v1/resume', {});
  print(json, result, () => `trading is ${result.tradingState}`);
  return EXIT.ok;
}

export async function closeAll(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.post<{ tradingState: string; positions: unknown[] }>('/v1/close-all', values.reason === undefined ? {} : { reason: values.reason });
  print(json, result, () => `trading is ${result.tradingState}; closing ${result.positions.length} position(s)`);
  return EXIT.ok;
}
