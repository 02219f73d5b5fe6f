// The client commands about algorithms and order lists: twap (any algorithm with --body), bracket (any list),
// algos, order-lists, and pause, resume or cancel of one algorithm or list.
import type { DaemonClient } from '../daemon/client.ts';
import { EXIT, UsageError, type Values } from './command-line.ts';
import { durationOption, jsonBody } from './option-values.ts';
import { print, table } from './output.ts';

interface AlgoRow {
  algoId: string; kind: string; symbol: string; side: string; status: string; quantity: string; filledQuantity: string; averagePrice?: string; progress: string;
  schedule: { nextWakeAt?: number; endAt?: number }; children: unknown[]; childrenSent: number;
}

interface OrderListRow {
  listId: string; kind: string; symbol: string; status: string; filledQuantity: string; triggerFilledQuantity: string; position?: string; childrenSent: number;
}

function describeAlgo(algo: AlgoRow): string {
  const next = algo.schedule.nextWakeAt === undefined ? '' : `, next slice ${new Date(algo.schedule.nextWakeAt).toISOString()}`;
  return `${algo.algoId} ${algo.kind} ${algo.side} ${algo.quantity} ${algo.symbol}: ${algo.status}, ${algo.filledQuantity} filled${algo.averagePrice ? ` @ ${algo.averagePrice}` : ''}${next}`;
}

export async function twap(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  if (values.body !== undefined) body = jsonBody(values.body);
  else {
    if (values.symbol === undefined || values.side === undefined || values.quantity === undefined) {
      throw new UsageError('twap needs --symbol, --side, --quantity, --horizon and --interval (or --body with the whole algorithm as JSON)');
    }
    body = {
      kind: 'twap', symbol: values.symbol, side: values.side, quantity: values.quantity,
      horizonMs: durationOption('horizon', values.horizon), intervalMs: durationOption('interval', values.interval),
      ...(values['limit-price'] === undefined ? {} : { limitPrice: values['limit-price'] }),
      ...(values.style === undefined ? {} : { style: values.style }),
      ...(values.randomization === undefined ? {} : { randomization: values.randomization }),
      ...(values['at-deadline'] === undefined ? {} : { atDeadline: values['at-deadline'] }),
    };
  }
  const result = await client.post<{ algo: AlgoRow }>('/v1/algos', body);
  print(json, result, () => `started ${describeAlgo(result.algo)}`);
  return EXIT.ok;
}

export async function bracket(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  let body: Record<string, unknown>;
  if (values.body !== undefined) body = jsonBody(values.body);
  else {
    if (values.symbol === undefined || values.side === undefined || values.quantity === undefined || values['take-profit'] === undefined || values['stop-loss'] === undefined) {
      throw new UsageError('bracket needs --symbol, --side, --quantity, --take-profit and --stop-loss (and --price for a limit entry), or --body with the whole list as JSON');
    }
    const exit = values.side === 'buy' ? 'sell' : 'buy';
    body = {
      kind: 'bracket', symbol: values.symbol,
      entry: values.price === undefined ? { side: values.side, type: 'market', quantity: values.quantity } : { side: values.side, type: 'limit', quantity: values.quantity, price: values.price },
      takeProfit: { side: exit, type: 'limit', price: values['take-profit'] },
      stopLoss: { side: exit, type: 'stop', stopPrice: values['stop-loss'] },
    };
  }
  const result = await client.post<{ orderList: OrderListRow }>('/v1/order-lists', body);
  const list = result.orderList;
  print(json, result, () => `placed ${list.listId} ${list.kind} ${list.symbol}: ${list.status}`);
  return EXIT.ok;
}

export async function algos(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ algos: AlgoRow[] }>('/v1/algos', { live: values.live === true ? 'true' : undefined, symbol: values.symbol });
  print(json, result, () =>
    result.algos.length === 0
      ? 'no algos'
      : table(
          ['ALGO', 'KIND', 'SYMBOL', 'SIDE', 'STATUS', 'QUANTITY', 'FILLED', 'AVG', 'CHILDREN', 'ENDS'],
          result.algos.map((algo) => [algo.algoId, algo.kind, algo.symbol, algo.side, algo.status, algo.quantity, algo.filledQuantity, algo.averagePrice ?? '-', String(algo.childrenSent), algo.schedule.endAt === undefined ? '-' : new Date(algo.schedule.endAt).toISOString()]),
        ),
  );
  return EXIT.ok;
}

export async function orderLists(client: DaemonClient, values: Values, json: boolean): Promise<number> {
  const result = await client.get<{ orderLists: OrderListRow[] }>('/v1/order-lists', { live: values.live === true ? 'true' : undefined, symbol: values.symbol });
  print(json, result, () =>
    result.orderLists.length === 0
      ? 'no order lists'
      : table(
          ['LIST', 'KIND', 'SYMBOL', 'STATUS', 'TRIGGER FILLED', 'POSITION', 'CHILDREN'],
          result.orderLists.map((list) => [list.listId, list.kind, list.symbol, list.status, list.triggerFilledQuantity, list.position ?? '-', String(list.childrenSent)]),
        ),
  );
  return EXIT.ok;
}

export type AlgoControl = 'pause-algo' | 'resume-algo' | 'cancel-algo' | 'cancel-list';

export async function controlAlgo(client: DaemonClient, command: AlgoControl, values: Values, rest: readonly string[], json: boolean): Promise<number> {
  const [id] = rest;
  if (id === undefined || rest.length > 1) throw new UsageError(`${command} needs exactly one id: fillstate ${command} <id>`);
  const route = command === 'cancel-list' ? `/v1/order-lists/${encodeURIComponent(id)}/cancel` : `/v1/algos/${encodeURIComponent(id)}/${command.slice(0, -'-algo'.length)}`;
  const body = command.startsWith('cancel') && values.reason !== undefined ? { reason: values.reason } : {};
  const result = await client.post<{ algo?: AlgoRow; orderList?: OrderListRow }>(route, body);
  const view = result.algo ?? result.orderList!;
  print(json, result, () => `${id} is ${view.status}: ${view.filledQuantity} filled`);
  return EXIT.ok;
}
