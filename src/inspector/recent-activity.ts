// The dashboard's recent fills and refusals (risk denials, venue rejections) as the bridge sees them, so a
// dashboard refresh reads a short list instead of scanning the journal.
import type { DomainEvent } from '../domain/events.ts';

/** Fills and refusals kept, of each kind. */
const RECENT_ACTIVITY = 20;

export class RecentActivity {
  /** Oldest first; at most RECENT_ACTIVITY of each kind after a trim (up to four times that between trims). */
  readonly events: DomainEvent[] = [];

  /** Keeps a fill or a refusal; any other event is ignored. */
  note(event: DomainEvent): void {
    if (event.type !== 'OrderFilled' && event.type !== 'OrderDenied' && event.type !== 'OrderRejected') return;
    this.events.push(event);
    // Trimmed in steps, so the list costs O(1) per event.
    if (this.events.length > RECENT_ACTIVITY * 4) {
      const fills = this.events.filter((known) => known.type === 'OrderFilled').slice(-RECENT_ACTIVITY);
      const refusals = this.events.filter((known) => known.type !== 'OrderFilled').slice(-RECENT_ACTIVITY);
      const kept = new Set([...fills, ...refusals]);
      const trimmed = this.events.filter((known) => kept.has(known));
      this.events.length = 0;
      this.events.push(...trimmed);
    }
  }

  clear(): void {
    this.events.length = 0;
  }
}
