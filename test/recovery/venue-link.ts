// Test support: an engine's link to a venue that outlives it. Severing the link is what a crash does to the
// engine's side (no more reports, no more commands), while the venue itself carries on.
import type { ExecutionReportListener, Venue, VenueOrder } from '../../adapters/venue.ts';
import type { MarketDataListener } from '../../src/domain/market-data.ts';

export class VenueLink implements Venue {
  readonly id: string;
  readonly capabilities;
  /** Orders that reached the venue through this link, by clientOrderId. */
  readonly submitted: string[] = [];
  /** When set, submits are swallowed: the process died after committing the intent, before the order left. */
  dropSubmits = false;
  private severed = false;
  private readonly detach: Array<() => void> = [];

  /** `capabilities` narrows what the engine believes the venue can do (e.g. no GTD: the engine holds deadlines). */
  constructor(
    private readonly venue: Venue,
    capabilities?: Partial<Venue['capabilities']>,
  ) {
    this.id = venue.id;
    this.capabilities = { ...venue.capabilities, ...capabilities };
  }

  /** The crash: from now on this engine hears nothing and sends nothing. */
  sever(): void {
    this.severed = true;
    for (const detach of this.detach.splice(0)) detach();
  }

  instruments() {
    return this.venue.instruments();
  }
  connect() {
    return this.venue.connect();
  }
  disconnect() {
    return this.venue.disconnect();
  }
  submit(order: VenueOrder): void {
    if (this.severed || this.dropSubmits) return;
    this.submitted.push(order.clientOrderId);
    this.venue.submit(order);
  }
  amend(clientOrderId: string, amendment: Parameters<Venue['amend']>[1]): void {
    if (!this.severed) this.venue.amend(clientOrderId, amendment);
  }
  cancel(clientOrderId: string): void {
    if (!this.severed) this.venue.cancel(clientOrderId);
  }
  queryOrder(clientOrderId: string) {
    return this.venue.queryOrder(clientOrderId);
  }
  openOrders() {
    return this.venue.openOrders();
  }
  balances() {
    return this.venue.balances();
  }
  orderFills(clientOrderId: string) {
    return this.venue.orderFills!(clientOrderId);
  }
  onExecutionReport(listener: ExecutionReportListener): () => void {
    const detach = this.venue.onExecutionReport((report) => {
      if (!this.severed) listener(report);
    });
    this.detach.push(detach);
    return detach;
  }
  subscribeMarketData(symbols: readonly string[], listener: MarketDataListener): () => void {
    const detach = this.venue.subscribeMarketData(symbols, (data) => {
      if (!this.severed) listener(data);
    });
    this.detach.push(detach);
    return detach;
  }
}
