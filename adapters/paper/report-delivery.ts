// The paper venue's reports: stamped with its id and time, the state saved first, then delivered to listeners
// after the report latency, in order.
import type { AccountReport, ExecutionReport } from '../venue.ts';
import type { AccountReportDraft, PaperCore, ReportDraft } from './paper-core.ts';

/** Stamps an account report and delivers it like execution reports: saved first, `reportLatencyMs` later, in order. */
export function emitAccountReport(core: PaperCore, draft: AccountReportDraft, timestamp = core.clock.now()): void {
  const report = { ...draft, venue: core.id, timestamp } as AccountReport;
  core.onStateChange?.();
  core.clock.setTimeout(() => {
    const listeners = core.accountListeners;
    for (const listener of listeners) listener(report);
  }, core.reportLatency.delayFrom(core.clock.now()));
}

/** Stamps the report with the venue's time now and delivers it `reportLatencyMs` later, in order. */
/** `timestamp`: when the reported thing happened, if already stamped (a fill's report and record agree). */
export function emitReport(core: PaperCore, draft: ReportDraft, timestamp = core.clock.now()): void {
  const report = { ...draft, venue: core.id, timestamp } as ExecutionReport;
  // Every change a caller can learn of comes with a report: saved before the report can reach anyone.
  core.onStateChange?.();
  core.clock.setTimeout(() => {
    const listeners = core.reportListeners;
    for (const listener of listeners) listener(report);
  }, core.reportLatency.delayFrom(core.clock.now()));
}
