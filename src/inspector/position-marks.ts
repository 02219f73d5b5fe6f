// Open positions and the mark each was last sent with: a new mark changes a position's unrealized PnL and notional
// without any transition of its own, so the bridge re-sends the positions whose symbol's mark moved.
import type { Engine } from '../engine/engine.ts';
import type { NodeView } from './protocol.ts';

export class PositionMarks {
  /** The mark last sent, by venue and symbol. */
  private readonly marks = new Map<string, string>();
  private readonly openPositions = new Map<string, { readonly symbol: string; readonly venue: string }>();

  constructor(private readonly engine: Engine) {}

  /** Keeps the set of open positions (their symbol and venue) from the nodes sent. */
  track(node: NodeView): void {
    if (node.kind !== 'position') return;
    if (node.live && node.symbol !== undefined) this.openPositions.set(node.id, { symbol: node.symbol, venue: node.venue ?? this.engine.venueIds()[0]! });
    else this.openPositions.delete(node.id);
  }

  /** Open positions whose symbol's mark changed since the last call. */
  remarked(): string[] {
    const remarked: string[] = [];
    const checked = new Map<string, boolean>();
    for (const [actorId, { symbol, venue }] of this.openPositions) {
      const key = `${venue}\u0000${symbol}`;
      let changed = checked.get(key);
      if (changed === undefined) {
        const mark = this.engine.marketPrice(symbol, venue)?.toFixed();
        changed = mark !== undefined && this.marks.get(key) !== mark;
        if (changed) this.marks.set(key, mark!);
        checked.set(key, changed);
      }
      if (changed) remarked.push(actorId);
    }
    return remarked;
  }

  clear(): void {
    this.marks.clear();
    this.openPositions.clear();
  }
}
