// Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise; wall time is injected.
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/backtest/progress.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 200, write: (text: string) => written.push(text) } };
}

const START = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

describe('backtest progress', () => {
  it('draws a bar in place on a terminal: share of simulated time, rows, rate and ETA', () => {
    let wall = 0;
    const { written, stream: tty } = stream(true);
    const progress = createProgress({ stream: tty, startTime: START, endTime: START + 4 * HOUR, now: () => wall });
    wall = 10_000;
    progress.update({ rows: 250_000, simulatedTime: START + HOUR });
    // Redrawn at most every 200 ms of wall time.
    wall = 10_100;
    progress.update({ rows: 260_000, simulatedTime: START + HOUR });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\r\[######------------------\]  25\.0%  250,000 rows  at 2025-01-01 01:00:00  25,000 rows\/s  ETA 30 s\x1b\[K$/);
    wall = 20_000;
    progress.done({ rows: 1_000_000, simulatedTime: START + 4 * HOUR });
    expect(written[1]).toMatch(/^\r\[#{24}\] 100\.0%  1,000,000 rows  at 2025-01-01 04:00:00  50,000 rows\/s  done in 20 s\x1b\[K\n$/);
  });

  it('writes a plain line every few seconds otherwise, with no ETA when the end is unknown', () => {
    let wall = 0;
    const { written, stream: plain } = stream(false);
    const progress = createProgress({ stream: plain, startTime: START, now: () => wall });
    wall = 1_000;
    progress.update({ rows: 4_096, simulatedTime: START + 60_000 });
    wall = 3_000;
    progress.update({ rows: 8_192, simulatedTime: START + 120_000 });
    wall = 7_000;
    progress.update({ rows: 28_000, simulatedTime: START + 600_000 });
    expect(written).toEqual([
      'backtest: 4,096 rows, at 2025-01-01 00:01:00, 4,096 rows/s, ETA unknown\n',
      'backtest: 28,000 rows, at 2025-01-01 00:10:00, 4,000 rows/s, ETA unknown\n',
    ]);
  });
});
