// A venue driven by hand: it records every command and reports only what its owner tells it to. For
// integrations whose orders are executed elsewhere, for benches, and for walking the order chart end to end.
import type { Instrument } from '../../src/domain/instrument.ts';
import type { MarketData, MarketDataListener } from '../../src/domain/market-data.ts';
import type {
  Balance,
  ExecutionReport,
  ExecutionReportListener,
  OrderAmendment,
  Venue,
  VenueCapabilities,
  VenueOrder,
  VenueOrderStatus,
} from '../venue.ts';

export type ManualVenueCommand =
  | { readonly type: 'submit'; readonly order: VenueOrder }
  | { readonly type: 'amend'; readonly clientOrderId: string; readonly amendment: OrderAmendment }
  | { readonly type: 'cancel'; readonly clientOrderId: string };

type ReportWithoutVenue = ExecutionReport extends infer R ? (R extends ExecutionReport ? Omit<R, 'venue' | 'timestamp'> : never) : never;

export interface ManualVenueOptions {
  readonly id?: string;
  readonly instruments: readonly Instrument[];
  readonly capabilities?: Partial<VenueCapabilities>;
  readonly now?: () => number;
  /** Keep the command log (off for benches, where it would only grow). */
  readonly recordCommands?: boolean;
  /** What balances() reports: the engine loads its ledger from it at start. */
  readonly balances?: Readonly<Record<string, string>>;
}

export class ManualVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  readonly commands: ManualVenueCommand[] = [];
  private readonly instrumentList: readonly Instrument[];
  private readonly reportListeners = new Set<ExecutionReportListener>();
  private readonly marketListeners = new Set<{ symbols: ReadonlySet<string>; listener: MarketDataListener }>();
  private readonly now: () => number;
  private readonly recordCommands: boolean;
  private readonly startingBalances: Readonly<Record<string, string>>;

  constructor(options: ManualVenueOptions) {
    this.id = options.id ?? 'manual';
    this.instrumentList = options.instruments;
    this.now = options.now ?? (() => Date.now());
    this.recordCommands = options.recordCommands ?? true;
    this.startingBalances = options.balances ?? {};
    this.capabilities = {
      orderTypes: ['market', 'limit'],
      timeInForce: ['GTC', 'IOC', 'FOK', 'GTD'],
      postOnly: true,
      reduceOnly: true,
      amend: true,
      ...options.capabilities,
    };
  }

  instruments(): readonly Instrument[] {
    return this.instrumentList;
  }

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  submit(order: VenueOrder): void {
    if (this.recordCommands) this.commands.push({ type: 'submit', order });
  }

  amend(clientOrderId: string, amendment: OrderAmendment): void {
    if (this.recordCommands) this.commands.push({ type: 'amend', clientOrderId, amendment });
  }

  cancel(clientOrderId: string): void {
    if (this.recordCommands) this.commands.push({ type: 'cancel', clientOrderId });
  }

  async queryOrder(): Promise<VenueOrderStatus | undefined> {
    return undefined;
  }

  async openOrders(): Promise<readonly VenueOrderStatus[]> {
    return [];
  }

  async balances(): Promise<readonly Balance[]> {
    return Object.entries(this.startingBalances).map(([currency, total]) => ({ currency, total, reserved: '0' }));
  }

  onExecutionReport(listener: ExecutionReportListener): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    const subscription = { symbols: new Set(symbols), listener };
    this.marketListeners.add(subscription);
    return () => this.marketListeners.delete(subscription);
  }

  /** Delivers an execution report as if the venue had sent it. */
  report(report: ReportWithoutVenue): void {
    const full = { ...report, venue: this.id, timestamp: this.now() } as ExecutionReport;
    for (const listener of this.reportListeners) listener(full);
  }

  /** Delivers market data to subscribers of its symbol. */
  publishMarketData(data: MarketData): void {
    for (const { symbols, listener } of this.marketListeners) if (symbols.has(data.symbol)) listener(data);
  }
}
