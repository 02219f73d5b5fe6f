// Progress of a backtest on stderr: a bar redrawn in place on a terminal (rows, simulated time, rate, ETA),
// a plain line every few seconds otherwise. Wall time is used only for the display, never by the run.

export interface ProgressState {
  readonly rows: number;
  /** The simulated clock's time. */
  readonly simulatedTime: number;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  done(state: ProgressState): void;
}

export interface ProgressOptions {
  readonly stream: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  /** Simulated time the run starts at and (when known) ends at, for the share done and the ETA. */
  readonly startTime: number;
  readonly endTime?: number;
  /** Wall-clock milliseconds; performance.now by default. */
  readonly now?: () => number;
}

const TTY_REDRAW_MS = 200;
const LINE_EVERY_MS = 5_000;

export function createProgress(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = options.stream.isTTY === true;
  let lastDrawn = -Infinity;
  const render = (state: ProgressState, final: boolean): string => {
    const elapsedSeconds = Math.max(1e-3, (now() - started) / 1000);
    const rate = state.rows / elapsedSeconds;
    const share = options.endTime === undefined || options.endTime <= options.startTime ? undefined : Math.min(1, Math.max(0, (state.simulatedTime - options.startTime) / (options.endTime - options.startTime)));
    const eta = share === undefined || share <= 0 || final ? undefined : (elapsedSeconds * (1 - share)) / share;
    const parts = [
      `${state.rows.toLocaleString('en-US')} rows`,
      `at ${new Date(state.simulatedTime).toISOString().replace('T', ' ').slice(0, 19)}`,
      `${Math.round(rate).toLocaleString('en-US')} rows/s`,
      final ? `done in ${formatSeconds(elapsedSeconds)}` : eta === undefined ? 'ETA unknown' : `ETA ${formatSeconds(eta)}`,
    ];
    if (!tty) return `backtest: ${share === undefined ? '' : `${(share * 100).toFixed(1)}%, `}${parts.join(', ')}`;
    const width = 24;
    const bar = share === undefined ? '' : `[${'#'.repeat(Math.round(share * width)).padEnd(width, '-')}] ${(share * 100).toFixed(1).padStart(5)}%  `;
    return `${bar}${parts.join('  ')}`;
  };
  const draw = (state: ProgressState, final: boolean) => {
    const line = render(state, final);
    if (tty) {
      const columns = options.stream.columns ?? 120;
      options.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\x1b[K${final ? '\n' : ''}`);
    } else {
      options.stream.write(`${line}\n`);
    }
  };
  return {
    update(state) {
      const time = now();
      if (time - lastDrawn < (tty ? TTY_REDRAW_MS : LINE_EVERY_MS)) return;
      lastDrawn = time;
      draw(state, false);
    },
    done(state) {
      draw(state, true);
    },
  };
}

function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
