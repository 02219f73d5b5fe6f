// The WebSocket venue client's commands (submit, submitList, amend, cancel) from call to acknowledgement: queued
// while the link is not live, unacknowledged once sent, ambiguous when a link drops before the server acknowledged
// them. An ambiguous command is never blindly resent: the venue's order status decides (needsResend).
import type { Logger } from 'pino';
import type { ExecutionReport, OrderAmendment, VenueOrder, VenueOrderList, VenueOrderStatus } from '../venue.ts';

export type CommandBody =
  | { readonly type: 'submit'; readonly order: VenueOrder }
  /** One message for the whole list: the venue gets every leg or none, so it is never half-sent. */
  | { readonly type: 'submitList'; readonly list: VenueOrderList }
  | { readonly type: 'amend'; readonly clientOrderId: string; readonly amendment: OrderAmendment }
  | { readonly type: 'cancel'; readonly clientOrderId: string };

/** A command sent on the link and not yet acknowledged: its outcome is unknown if the link drops now. */
export interface SentCommand {
  readonly body: CommandBody;
  /** Last report sequence seen when it was sent: reports after it may be its outcome. */
  readonly sentAfterSequence: number;
}

const WORKING_STATUSES: ReadonlySet<string> = new Set(['open', 'partial']);
/** Reports after which an order takes no amend: its amend outcome need not be remembered. */
const FINAL_REPORTS: ReadonlySet<ExecutionReport['type']> = new Set(['rejected', 'canceled', 'expired']);

/** The orders a command is about: a list's legs, or the one order. */
function commandOrderIds(body: CommandBody): readonly string[] {
  if (body.type === 'submitList') return body.list.orders.map((order) => order.clientOrderId);
  return [body.type === 'submit' ? body.order.clientOrderId : body.clientOrderId];
}

/**
 * The answer to a command the venue server refused outright: the venue never saw it, so the refusal is final
 * (for a list, every leg rejected).
 */
export function refusalReports(body: CommandBody, base: { readonly venue: string; readonly timestamp: number; readonly reason: string }): ExecutionReport[] {
  if (body.type === 'submitList') return body.list.orders.map((order) => ({ ...base, type: 'rejected', clientOrderId: order.clientOrderId }));
  if (body.type === 'submit') return [{ ...base, type: 'rejected', clientOrderId: body.order.clientOrderId }];
  if (body.type === 'cancel') return [{ ...base, type: 'cancelRejected', clientOrderId: body.clientOrderId }];
  return [{ ...base, type: 'amendRejected', clientOrderId: body.clientOrderId }];
}

export class CommandLedger {
  /** Commands waiting for a live link, in call order. */
  private queue: CommandBody[] = [];
  private readonly unacknowledged = new Map<number, SentCommand>();
  /** Commands whose outcome became unknown when a link dropped; reconciled by status queries on resync. */
  private ambiguous: SentCommand[] = [];
  /**
   * Last sequence of an amend outcome per working order, to tell whether an unacknowledged amend was answered.
   * Forgotten when the order ends, so the map holds working orders only.
   */
  private readonly amendOutcomes = new Map<string, number>();

  enqueue(body: CommandBody): void {
    this.queue.push(body);
  }

  sent(id: number, body: CommandBody, afterSequence: number): void {
    this.unacknowledged.set(id, { body, sentAfterSequence: afterSequence });
  }

  acknowledged(id: number): void {
    this.unacknowledged.delete(id);
  }

  /** The server refused the message itself: the command is answered (its refusal is the outcome). */
  refused(id: number): SentCommand | undefined {
    const sent = this.unacknowledged.get(id);
    if (sent !== undefined) this.unacknowledged.delete(id);
    return sent;
  }

  /** The link dropped: every command sent and not acknowledged is now of unknown outcome, in the order sent. */
  linkLost(): void {
    const unacknowledged = [...this.unacknowledged.entries()].sort(([a], [b]) => a - b).map(([, sent]) => sent);
    this.unacknowledged.clear();
    this.ambiguous.push(...unacknowledged);
  }

  /** A report delivered in sequence. */
  reported(sequence: number, report: ExecutionReport): void {
    if (report.type === 'amended' || report.type === 'amendRejected') this.amendOutcomes.set(report.clientOrderId, sequence);
    else if (FINAL_REPORTS.has(report.type) && 'clientOrderId' in report) this.amendOutcomes.delete(report.clientOrderId);
  }

  /**
   * Asks the venue, by order status, what became of each command whose outcome is unknown; resolves with the
   * ones it never got (to send again), or undefined once `stillCurrent()` is false (the link dropped again).
   * A failed query rejects: everything stays ambiguous for the next attempt.
   */
  async reconcile(orderStatus: (clientOrderId: string) => Promise<VenueOrderStatus | null>, stillCurrent: () => boolean, logger: Logger, venueId: string): Promise<CommandBody[] | undefined> {
    const resend: CommandBody[] = [];
    for (const sent of this.ambiguous) {
      const statuses: Array<VenueOrderStatus | null> = [];
      for (const clientOrderId of commandOrderIds(sent.body)) {
        statuses.push(await orderStatus(clientOrderId));
        if (!stillCurrent()) return undefined;
      }
      const needsResend = this.needsResend(sent, statuses);
      if (needsResend) resend.push(sent.body);
      const what = sent.body.type === 'submitList' ? `list ${sent.body.list.listId}` : commandOrderIds(sent.body)[0]!;
      logger.warn(
        { command: sent.body.type, orders: commandOrderIds(sent.body), venueStatus: statuses.map((status) => status?.status ?? 'unknown') },
        `venue ${venueId}: ${sent.body.type} ${what} was unacknowledged when the link dropped; ` +
          (needsResend ? 'the venue never got it, sending it now' : 'the venue has it, not resent'),
      );
    }
    return resend;
  }

  /** Whether the venue shows it never got an ambiguous command (so it is to be sent again); statuses per order of the command. */
  private needsResend(sent: SentCommand, statuses: ReadonlyArray<VenueOrderStatus | null>): boolean {
    const body = sent.body;
    // A list reaches the venue whole: resent only when the venue knows none of its legs, so never twice.
    if (body.type === 'submit' || body.type === 'submitList') return statuses.every((status) => status === null);
    const status = statuses[0] ?? null;
    const working = status !== null && WORKING_STATUSES.has(status.status);
    if (body.type === 'cancel') return working;
    // An amend is answered by amended or amendRejected; with no answer since it was sent, it never arrived.
    return working && (this.amendOutcomes.get(body.clientOrderId) ?? 0) <= sent.sentAfterSequence;
  }

  /** Reconciled: the ambiguous commands are settled; returns what to send now (the resends, then the queue). */
  settle(resend: readonly CommandBody[]): CommandBody[] {
    this.ambiguous = [];
    const queued = [...resend, ...this.queue];
    this.queue = [];
    return queued;
  }

  /** Commands not yet sent plus commands sent whose outcome is still unknown. */
  pendingCount(): number {
    return this.queue.length + this.unacknowledged.size + this.ambiguous.length;
  }
}
