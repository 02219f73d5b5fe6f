// The bridge's kept log: what each actor received and emitted while a page is attached, numbered, with the state
// it left the actor in (time travel and resume read it). An entry is one object made as XState reports it; its
// wire view (state labels, decoded figures, sender) is worked out only when a page is sent or asks for it.
import type { StateValue } from 'xstate';
import { decodeEvent, sourceIdOf } from './decode.ts';
import { stateLabel } from './nodes.ts';
import type { EntryDetail, LogEntryView, LogFields } from './protocol.ts';

/** A log entry as kept: the wire view plus its event and the snapshot it left the actor in. */
export interface RetainedEntry extends LogEntryView {
  readonly event: Record<string, unknown>;
  readonly snapshot?: { readonly value: unknown; readonly status: string; readonly context: unknown };
}

/**
 * One observed event. `value`, `status` and `context` are what time travel shows of the actor after it (an
 * emitted domain event has no snapshot of its own: `value` is that of the transition that announced it).
 */
export class ObservedEntry implements RetainedEntry {
  /** 0 until the bridge numbers it at a flush. */
  sequence = 0;
  /** The actor's state value before a received event (a label string for one known only from a node). */
  previousValue: StateValue | undefined = undefined;
  /** A position's stop before this entry: a stop change is decoded old -> new. */
  previousStop: string | undefined = undefined;
  private label: string | undefined = undefined;
  private decoded: LogFields | undefined | null = null;

  constructor(
    readonly actorId: string,
    readonly kind: 'received' | 'emitted',
    readonly event: Record<string, unknown>,
    readonly at: number,
    public value: StateValue | undefined,
    readonly status: string | undefined,
    readonly context: unknown,
  ) {}

  get eventType(): string {
    return String(this.event.type);
  }

  get state(): string {
    return (this.label ??= this.value === undefined ? '' : stateLabel(this.value));
  }

  get previousState(): string | undefined {
    return this.kind === 'received' && this.previousValue !== undefined ? stateLabel(this.previousValue) : undefined;
  }

  get domainSequence(): number | undefined {
    return this.kind === 'emitted' ? (this.event as { sequence: number }).sequence : undefined;
  }

  get sourceId(): string | undefined {
    return this.kind === 'received' ? sourceIdOf(this.event, this.context) : undefined;
  }

  get fields(): LogFields | undefined {
    if (this.decoded === null) this.decoded = decodeEvent(this.event, this.previousStop);
    return this.decoded;
  }

  get snapshot(): RetainedEntry['snapshot'] {
    return this.status === undefined ? undefined : { value: this.value, status: this.status, context: this.context };
  }
}

/** The wire view: no payload, no snapshot (both are fetched with the entry's sequence). */
export function viewOf(entry: RetainedEntry): LogEntryView {
  const view: Record<string, unknown> = { sequence: entry.sequence, at: entry.at, actorId: entry.actorId, kind: entry.kind, eventType: entry.eventType, state: entry.state };
  const { previousState, domainSequence, fields, sourceId } = entry;
  if (previousState !== undefined) view.previousState = previousState;
  if (domainSequence !== undefined) view.domainSequence = domainSequence;
  if (fields !== undefined) view.fields = fields;
  if (sourceId !== undefined) view.sourceId = sourceId;
  return view as unknown as LogEntryView;
}

/**
 * The last `retained` entries, in sequence order without gaps: a ring, so keeping one more costs one slot written
 * (no array copied as it is trimmed, which a busy engine paid for thousands of times a second).
 */
export class EntryLog {
  private ring: Array<ObservedEntry | undefined> = [];
  /** Slot of the oldest entry kept, and how many are kept. */
  private start = 0;
  private size = 0;

  constructor(private readonly retained: number) {
    if (!Number.isSafeInteger(retained) || retained < 1) throw new Error(`retained entries must be a positive integer, got ${retained}`);
  }

  /** The sequence of the oldest entry kept, or undefined when none is. */
  get firstSequence(): number | undefined {
    return this.size === 0 ? undefined : this.at(0).sequence;
  }

  add(entry: ObservedEntry): void {
    if (this.size < this.retained) {
      this.ring[(this.start + this.size) % this.retained] = entry;
      this.size++;
      return;
    }
    this.ring[this.start] = entry;
    this.start = (this.start + 1) % this.retained;
  }

  /** The entry numbered `sequence`, if still kept. */
  bySequence(sequence: number): ObservedEntry | undefined {
    const first = this.firstSequence;
    if (first === undefined) return undefined;
    const offset = sequence - first;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) return undefined;
    const entry = this.at(offset);
    return entry.sequence === sequence ? entry : undefined;
  }

  /** One actor's kept entries, oldest first: a scan, as it is asked for only when a page selects an actor. */
  ofActors(actorIds: ReadonlySet<string>): ObservedEntry[] {
    const entries: ObservedEntry[] = [];
    for (let offset = 0; offset < this.size; offset++) {
      const entry = this.at(offset);
      if (actorIds.has(entry.actorId)) entries.push(entry);
    }
    return entries;
  }

  /** The entries numbered after `after`. */
  since(after: number): ObservedEntry[] {
    const first = this.firstSequence;
    if (first === undefined) return [];
    const entries: ObservedEntry[] = [];
    for (let offset = Math.max(0, after + 1 - first); offset < this.size; offset++) entries.push(this.at(offset));
    return entries;
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
    this.size = 0;
  }

  /** The entry `offset` places after the oldest kept (offset < size). */
  private at(offset: number): ObservedEntry {
    return this.ring[(this.start + offset) % this.retained]!;
  }
}

/** An entry with its payload and snapshot: the page's time travel. */
export function detailOf(entry: RetainedEntry): EntryDetail {
  const snapshot = entry.snapshot;
  return Object.assign(viewOf(entry), { event: entry.event, ...(snapshot === undefined ? {} : { snapshot }), source: 'live' as const });
}
