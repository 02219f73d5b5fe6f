// The daemon's memory over a long run: a `fillstate start` child process on the in-process paper venue (with its
// SQLite journal), and a client placing and canceling orders continuously over HTTP. RSS and heap are sampled
// from the daemon's own /metrics; the figure is the growth per 10,000 finished orders (the regression slope),
// beside the RSS after warm-up. FILLSTATE_SOAK_SECONDS sets the duration: 60 by default, 600 for the 10-minute run.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchRow } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'soak-token-0123456789abcdef';
const WORKERS = 8;
const SAMPLE_EVERY_MS = 2_000;
const MIB = 1024 * 1024;

interface Sample {
  readonly finished: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const numerator = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const denominator = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return denominator === 0 ? 0 : numerator / denominator;
}

function metric(text: string, name: string): number {
  // The daemon prefixes Node's default metrics with fillstate_process_.
  const match = new RegExp(`^fillstate_process_${name} (\\S+)$`, 'm').exec(text);
  if (match === null) throw new Error(`the daemon's /metrics has no ${name}`);
  return Number(match[1]);
}

export async function run(): Promise<BenchRow[]> {
  const seconds = Number(process.env.FILLSTATE_SOAK_SECONDS ?? 60);
  const cwd = mkdtempSync(path.join(tmpdir(), 'fillstate-soak-'));
  writeFileSync(
    path.join(cwd, 'fillstate.config.json'),
    JSON.stringify({ server: { port: 0, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } }, demo: { enabled: false }, log: { level: 'warn' } }),
  );
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/fillstate.mjs'), 'start'], {
    cwd,
    env: { ...process.env, FILLSTATE_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  void exited.then((code) => {
    if (code !== 0) console.error(`the daemon exited with ${code}:\n${output.slice(-4000)}`);
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += String(chunk);
        const match = /^fillstate listening on (http:\/\/\S+) /m.exec(output);
        if (match !== null) resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`the daemon exited (${code}) before it listened:\n${output}`)));
    });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const jsonHeaders = { ...headers, 'content-type': 'application/json' };
    let finished = 0;
    let failures = 0;
    let stopping = false;
    const worker = async (index: number) => {
      for (let round = 0; !stopping; round++) {
        const clientOrderId = `soak-${index}-${round}`;
        // Far below the market: it rests until canceled, so each round is one whole lifecycle.
        const placed = await fetch(`${url}/v1/orders`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '1000' }) });
        await placed.arrayBuffer();
        if (placed.status !== 201) {
          failures++;
          continue;
        }
        // A cancel can meet the order still in flight (409): ask again once the venue has acknowledged it; an order
        // that ended on its own (rejected) is finished too.
        while (!stopping) {
          const canceled = await fetch(`${url}/v1/orders/${clientOrderId}`, { method: 'DELETE', headers });
          const answer = (await canceled.json()) as { order?: { status: string }; error?: { details?: { state?: string } } };
          if (canceled.status === 202) break;
          const state = answer.error?.details?.state;
          if (state !== undefined && ['canceled', 'rejected', 'filled', 'expired', 'denied'].includes(state)) break;
          if (canceled.status !== 409) throw new Error(`cancel of ${clientOrderId} answered ${canceled.status}: ${JSON.stringify(answer)}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        finished++;
      }
    };
    const sample = async (): Promise<Sample> => {
      const text = await (await fetch(`${url}/metrics`, { headers })).text();
      return { finished, rss: metric(text, 'process_resident_memory_bytes'), heapUsed: metric(text, 'nodejs_heap_size_used_bytes') };
    };
    let lastError: unknown;
    const workers = Array.from({ length: WORKERS }, (_, index) =>
      worker(index).catch((error: unknown) => {
        lastError = error;
        stopping = true;
      }),
    );
    const samples: Sample[] = [];
    const ends = Date.now() + seconds * 1000;
    while (Date.now() < ends && !stopping) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      samples.push(await sample());
    }
    stopping = true;
    await Promise.all(workers);
    if (lastError !== undefined) throw new Error(`the soak client failed after ${finished} orders: ${(lastError as Error).message} (${String((lastError as { cause?: unknown }).cause)})`);
    // The first fifth is warm-up (code loaded, caches filled): the slope is taken over the rest.
    const steady = samples.slice(Math.floor(samples.length / 5));
    const rssPer10k = (slope(steady.map((s) => [s.finished, s.rss])) * 10_000) / MIB;
    const heapPer10k = (slope(steady.map((s) => [s.finished, s.heapUsed])) * 10_000) / MIB;
    const warm = steady[0]!;
    const last = samples.at(-1)!;
    console.error(
      `daemon soak: ${seconds} s, ${last.finished} finished orders (${failures} refused), RSS ${(warm.rss / MIB).toFixed(0)} -> ${(last.rss / MIB).toFixed(0)} MiB, heap ${(warm.heapUsed / MIB).toFixed(0)} -> ${(last.heapUsed / MIB).toFixed(0)} MiB`,
    );
    return [
      {
        name: `daemon RSS growth per 10,000 finished orders (${seconds} s)`,
        value: rssPer10k,
        unit: 'MiB',
        baselineName: 'daemon RSS after warm-up',
        baselineValue: warm.rss / MIB,
        goal: 'flat: <= 1 MiB per 10,000',
        met: rssPer10k <= 1,
      },
      {
        name: `daemon heap growth per 10,000 finished orders (${seconds} s)`,
        value: heapPer10k,
        unit: 'MiB',
        baselineName: 'daemon heap after warm-up',
        baselineValue: warm.heapUsed / MIB,
        goal: 'flat: <= 1 MiB per 10,000',
        met: heapPer10k <= 1,
      },
    ];
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
