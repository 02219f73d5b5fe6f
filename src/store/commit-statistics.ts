// The store's counters for metrics: events appended, commits and their latency over a window, fills refused as
// duplicates. Plain numbers: time and counts, not money.
import type { StoreStats } from './records.ts';

const LATENCY_WINDOW = 1024;

export class CommitStatistics {
  eventsAppended = 0;
  intentCommits = 0;
  duplicateFillsRefused = 0;
  private commits = 0;
  private lastBatchEvents = 0;
  private largestBatchEvents = 0;
  private lastCommitMs = 0;
  private maxCommitMs = 0;
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;

  groupCommitted(milliseconds: number, events: number): void {
    this.commits++;
    this.lastBatchEvents = events;
    this.largestBatchEvents = Math.max(this.largestBatchEvents, events);
    this.lastCommitMs = milliseconds;
    this.maxCommitMs = Math.max(this.maxCommitMs, milliseconds);
    this.latencies[this.latencyCount++ % LATENCY_WINDOW] = milliseconds;
  }

  /** The figures, with what only the store knows. */
  stats(store: Pick<StoreStats, 'path' | 'synchronous' | 'lastSequence' | 'pendingEvents'>): StoreStats {
    const window = Math.min(this.latencyCount, LATENCY_WINDOW);
    const sorted = Array.from(this.latencies.subarray(0, window)).sort((a, b) => a - b);
    const percentile = (p: number) => (window === 0 ? 0 : sorted[Math.min(window - 1, Math.floor(p * window))]!);
    return {
      path: store.path,
      synchronous: store.synchronous,
      eventsAppended: this.eventsAppended,
      lastSequence: store.lastSequence,
      commits: this.commits,
      intentCommits: this.intentCommits,
      duplicateFillsRefused: this.duplicateFillsRefused,
      lastBatchEvents: this.lastBatchEvents,
      largestBatchEvents: this.largestBatchEvents,
      lastCommitMs: this.lastCommitMs,
      p50CommitMs: percentile(0.5),
      p99CommitMs: percentile(0.99),
      maxCommitMs: this.maxCommitMs,
      pendingEvents: store.pendingEvents,
    };
  }
}
