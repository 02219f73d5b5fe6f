// Latency models of the paper venue: a constant, or delays sampled (seeded) from measured latencies, read from a file.
import { readFileSync } from 'node:fs';
import { ResumableRandom } from './seeded-random.ts';

/** Milliseconds: a constant, or measured samples drawn uniformly with a seed (deterministic). */
export type LatencySetting = number | { readonly samplesMs: readonly number[]; readonly seed: number };

/**
 * Gives the delay of each message. Messages on one path never overtake each other (a connection delivers in
 * order): a sampled delay shorter than the previous message's remaining one waits for it.
 */
export class LatencyModel {
  private readonly constantMs: number | undefined;
  private readonly samples: readonly number[] = [];
  private readonly random: ResumableRandom | undefined;
  private lastDeliveryAt = Number.NEGATIVE_INFINITY;

  constructor(readonly name: string, setting: LatencySetting, draws = 0) {
    if (typeof setting === 'number') {
      this.constantMs = checkMilliseconds(name, setting);
      return;
    }
    if (!Array.isArray(setting.samplesMs) || setting.samplesMs.length === 0) throw new Error(`${name}: samplesMs must list at least one measured latency`);
    setting.samplesMs.forEach((sample, index) => checkMilliseconds(`${name} sample ${index + 1}`, sample));
    this.samples = [...setting.samplesMs];
    this.random = new ResumableRandom(setting.seed, draws);
  }

  /** True for a constant 0: the venue may then deliver synchronously where it always did. */
  get isZero(): boolean {
    return this.constantMs === 0;
  }

  /** Draws already made (saved with the venue so a restored one continues the sequence). */
  get draws(): number {
    return this.random?.draws ?? 0;
  }

  /** The delay, from `now`, of the next message on this path. */
  delayFrom(now: number): number {
    const sampled = this.constantMs ?? this.samples[Math.floor(this.random!.next() * this.samples.length)]!;
    const deliveryAt = Math.max(now + sampled, this.lastDeliveryAt);
    this.lastDeliveryAt = deliveryAt;
    return deliveryAt - now;
  }
}

function checkMilliseconds(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number of milliseconds, got ${String(value)}`);
  return value;
}

/**
 * Reads measured latencies: one number of milliseconds per line; blank lines and lines starting with '#' are
 * skipped. Any other line that is not a non-negative number is refused with the file and line.
 */
export function parseLatencySamples(text: string, source: string): number[] {
  const samples: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const value = /^\d+(?:\.\d+)?$/.test(line) ? Number(line) : Number.NaN;
    if (!Number.isFinite(value)) throw new Error(`${source}:${index + 1}: a latency must be a non-negative number of milliseconds, got ${JSON.stringify(line)}`);
    samples.push(value);
  });
  if (samples.length === 0) throw new Error(`${source}: no latency samples`);
  return samples;
}

export function readLatencySamples(path: string): number[] {
  return parseLatencySamples(readFileSync(path, 'utf8'), path);
}
