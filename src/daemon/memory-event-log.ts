// An event log held in memory, for an engine that runs without a store (tests, `--data-dir` less runs):
// it records every event from the moment it is attached, so attach it before engine.start().
import type { DomainEvent, DomainEventListener } from '../domain/events.ts';
import type { EventLog } from './stream.ts';

interface Subscribable {
  subscribe(listener: DomainEventListener): () => void;
}

export class MemoryEventLog implements EventLog {
  private readonly events: DomainEvent[] = [];
  private readonly detach: () => void;

  constructor(private readonly source: Subscribable) {
    this.detach = source.subscribe((event) => {
      this.events.push(event);
    });
  }

  eventsSince(afterSequence: number, limit: number): readonly DomainEvent[] {
    // Sequences start at 1 and are gapless, so an event's index is its sequence - 1... once the first is seen.
    const first = this.events[0]?.sequence ?? 1;
    const start = Math.max(0, afterSequence + 1 - first);
    return this.events.slice(start, start + limit);
  }

  lastSequence(): number {
    return this.events[this.events.length - 1]?.sequence ?? 0;
  }

  subscribe(listener: DomainEventListener): () => void {
    return this.source.subscribe(listener);
  }

  close(): void {
    this.detach();
  }
}
