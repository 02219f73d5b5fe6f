// How an engine starts, as one path for a new file and a restart: working actors restored from the store,
// venues connected, deadlines and triggers re-armed, then each venue reconciled (orders, fills, positions).
import type { EngineParts } from './assemble.ts';
import type { RecoveryReport } from './options.ts';
import { reconcileVenue, type ReconciliationReport } from './recovery.ts';
import { balanceDifferences, connectVenues } from './startup.ts';

/** Starts the parts; `started` is called once commands may come (before reconciling). */
export async function startParts(parts: EngineParts, started: () => void): Promise<RecoveryReport> {
  parts.portfolio.start();
  const restored = parts.queue.run(() => {
    const actors = parts.startup.restoreActors();
    // Algos and order lists after their children's orders: reconciliation's reports then reach both.
    if (parts.store !== undefined) parts.parents.restore(parts.store.snapshotsOfMachines(['algo', 'orderList']), parts.venues.defaultVenueId());
    return actors;
  });
  const balances = await connectVenues(parts.venues, {
    report: (report) => parts.queue.run(() => parts.route(report)),
    marketData: (binding, data) =>
      parts.queue.run(() => {
        parts.venues.record(binding, data);
        parts.exitRetries.marketData(binding.venue.id, data.symbol);
        parts.parents.marketData(binding.venue.id, data);
      }),
    linkLive: (venueId) => parts.queue.run(() => parts.gateway.linkLive(venueId)),
    account: (report) => parts.queue.run(() => parts.accountReports.receive(report)),
  });
  // A restored ledger is ours (with its reservations); the venue's balances only load a new one.
  if (!parts.restoredPortfolio) parts.portfolio.send({ type: 'ledger.load', balances });
  parts.queue.run(() => {
    parts.deadlines.rearm();
    parts.triggers.rearm();
    parts.exitRetries.rearm();
    parts.parents.rearm();
  });
  // Started before reconciling: positions whose entries filled while down place their protection now.
  started();
  const venues: ReconciliationReport[] = [];
  if (parts.store !== undefined) {
    const intents = parts.store.intents('sent');
    const host = parts.startup.reconciliationHost();
    for (const binding of parts.venues.all()) venues.push(await reconcileVenue(host, binding.venue, intents));
  }
  // Margin venues' positions against the engine's: differences are reported, never traded away.
  for (const binding of parts.venues.all()) {
    const differences = await parts.accountReports.reconcile(binding.venue, parts.clock.now());
    if (differences.length === 0) continue;
    const report = venues.find((candidate) => candidate.venue === binding.venue.id);
    if (report !== undefined) report.discrepancies.push(...differences);
    else venues.push({ venue: binding.venue.id, checked: 0, adopted: [], unknownAtVenue: [], fillsApplied: 0, updated: [], discrepancies: differences });
  }
  const differences = parts.restoredPortfolio ? balanceDifferences(parts.portfolio.getSnapshot().context.ledger, balances) : {};
  if (Object.keys(differences).length > 0) parts.logger.warn({ balanceDifferences: differences }, 'after reconciliation the ledger differs from the venue balances');
  const report: RecoveryReport = { ...restored, restoredPortfolio: parts.restoredPortfolio, lastSequence: parts.bus.lastSequence(), venues, balanceDifferences: differences };
  for (const venue of venues) {
    if (venue.adopted.length + venue.unknownAtVenue.length + venue.fillsApplied + venue.discrepancies.length > 0) parts.logger.warn({ reconciliation: venue }, `reconciled with ${venue.venue}`);
  }
  parts.store?.flush();
  return report;
}
