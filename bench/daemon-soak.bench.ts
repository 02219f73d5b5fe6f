// The daemon's memory over a long run: a `fillstate start` child process on the in-process paper venue (with its
// SQLite journal), and a client placing and canceling orders continuously over HTTP. RSS and heap are sampled
// from the daemon's own /metrics every 2 s; the figures are the growth per 10,000 finished orders (the regression
// slope after warm-up) of RSS and of the heap retained after a full collection (forced every 30 s through
// bench/daemon-soak-collector.mjs: the heap in use between collections is mostly garbage), each beside the same
// daemon idle before its first order. FILLSTATE_SOAK_SECONDS sets the duration: 60 by default, 600 for the
// 10-minute run. FILLSTATE_SOAK_HEAP_SNAPSHOTS=1 writes a heap snapshot of the daemon after warm-up and at the end
// instead (into its data directory) to compare what grew; writing one stalls the daemon and takes native memory,
// so the RSS of such a run is not the one to record.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'soak-token-0123456789abcdef';
const WORKERS = 8;
const SAMPLE_EVERY_MS = 2_000;
/** How long the daemon sits idle after start-up before its baseline is sampled. */
const IDLE_MS = 5_000;
/** A full collection every this many samples (30 s). */
const COLLECT_EVERY_SAMPLES = 15;
const MIB = 1024 * 1024;

interface Sample {
  readonly finished: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** Heap reserved by V8 (used or not) and memory outside it (Buffers, native objects): what RSS is made of. */
  readonly heapTotal: number;
  readonly external: number;
  /** This machine's one-minute load average when sampled (the daemon shares its cores). */
  readonly load: number;
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
  const snapshots = process.env.FILLSTATE_SOAK_HEAP_SNAPSHOTS === '1';
  const cwd = mkdtempSync(path.join(tmpdir(), 'fillstate-soak-'));
  writeFileSync(
    path.join(cwd, 'fillstate.config.json'),
    JSON.stringify({ server: { port: 0, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } }, demo: { enabled: false }, log: { level: 'warn' } }),
  );
  // SIGUSR2 writes a heap snapshot (which collects first), or runs a full collection.
  const nodeFlags = snapshots ? ['--heapsnapshot-signal=SIGUSR2'] : ['--expose-gc', '--import', pathToFileURL(path.join(ROOT, 'bench/daemon-soak-collector.mjs')).href];
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, 'bin/fillstate.mjs'), 'start'], {
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
    // A keep-alive connection the daemon closed while it was stalled (a heap snapshot) is reset: the request is
    // asked again on a fresh one. Both requests are idempotent (the clientOrderId names the order).
    const request = (target: string, init: RequestInit) => fetch(target, init).catch(() => fetch(target, init));
    const worker = async (index: number) => {
      for (let round = 0; !stopping; round++) {
        const clientOrderId = `soak-${index}-${round}`;
        // Far below the market: it rests until canceled, so each round is one whole lifecycle.
        const placed = await request(`${url}/v1/orders`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '1000' }) });
        await placed.arrayBuffer();
        // 200: a request asked again after a reset found the order its first attempt placed.
        if (placed.status !== 201 && placed.status !== 200) {
          failures++;
          continue;
        }
        // A cancel can meet the order still in flight (409): ask again once the venue has acknowledged it; an order
        // that ended on its own (rejected) is finished too.
        while (!stopping) {
          const canceled = await request(`${url}/v1/orders/${clientOrderId}`, { method: 'DELETE', headers });
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
      return {
        finished,
        rss: metric(text, 'process_resident_memory_bytes'),
        heapUsed: metric(text, 'nodejs_heap_size_used_bytes'),
        heapTotal: metric(text, 'nodejs_heap_size_total_bytes'),
        external: metric(text, 'nodejs_external_memory_bytes'),
        load: os.loadavg()[0]!,
      };
    };
    const heapSnapshots = () => readdirSync(cwd).filter((name) => name.endsWith('.heapsnapshot'));
    /** Samples taken right after a full collection: the heap the daemon retains. */
    const collected: Sample[] = [];
    const collect = async () => {
      const snapshotsBefore = heapSnapshots().length;
      const outputBefore = output.length;
      const collectedLine = /^fillstate-soak-collected heapUsed=(\d+)$/m;
      child.kill('SIGUSR2');
      if (snapshots) {
        while (heapSnapshots().length === snapshotsBefore) await new Promise((resolve) => setTimeout(resolve, 100));
      } else {
        while (!collectedLine.test(output.slice(outputBefore))) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The daemon writes a snapshot on its main thread: a request is answered once it is whole. A keep-alive
      // connection that timed out during the stall is reset: ask again on a fresh one.
      const after = await sample().catch(() => sample());
      // The heap right after the collection, as the daemon printed it (the request above came later).
      const printed = collectedLine.exec(output.slice(outputBefore));
      const point = printed === null ? after : { ...after, heapUsed: Number(printed[1]) };
      collected.push(point);
      return point;
    };
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idle = await sample();
    const idleCollected = snapshots ? undefined : await collect();
    let lastError: unknown;
    const workers = Array.from({ length: WORKERS }, (_, index) =>
      worker(index).catch((error: unknown) => {
        lastError = error;
        stopping = true;
      }),
    );
    const samples: Sample[] = [];
    const started = Date.now();
    const ends = started + seconds * 1000;
    const warmUpEnds = started + (seconds * 1000) / 5;
    let snapshotAfterWarmUp = snapshots;
    while (Date.now() < ends && !stopping) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      samples.push(await sample());
      if (snapshots ? snapshotAfterWarmUp && Date.now() >= warmUpEnds : samples.length % COLLECT_EVERY_SAMPLES === 0) {
        snapshotAfterWarmUp = false;
        await collect();
      }
    }
    stopping = true;
    await Promise.all(workers);
    await collect();
    if (snapshots) console.error(`daemon soak: heap snapshots ${heapSnapshots().map((name) => path.join(cwd, name)).join(', ')}`);
    if (lastError !== undefined) throw new Error(`the soak client failed after ${finished} orders: ${(lastError as Error).message} (${String((lastError as { cause?: unknown }).cause)})`);
    // The first fifth is warm-up (code loaded, caches filled): the slope is taken over the rest.
    const steady = samples.slice(Math.floor(samples.length / 5));
    const rssPer10k = (slope(steady.map((s) => [s.finished, s.rss])) * 10_000) / MIB;
    const collectedAfterWarmUp = collected.filter((s) => s.finished >= steady[0]!.finished);
    const retainedPer10k = (slope(collectedAfterWarmUp.map((s) => [s.finished, s.heapUsed])) * 10_000) / MIB;
    // Keep the raw samples beside the figure, to see the shape of the curve (a plateau or a line).
    if (process.env.FILLSTATE_SOAK_SAMPLES !== undefined) writeFileSync(process.env.FILLSTATE_SOAK_SAMPLES, JSON.stringify({ idle, samples, collected }));
    const warm = steady[0]!;
    const last = samples.at(-1)!;
    const mib = (bytes: number) => (bytes / MIB).toFixed(0);
    const per10k = (of: (sample: Sample) => number) => ((slope(steady.map((s) => [s.finished, of(s)])) * 10_000) / MIB).toFixed(1);
    const loads = samples.map((s) => s.load);
    console.error(
      [
        `daemon soak: ${seconds} s, ${last.finished} finished orders (${failures} refused), load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} (mean ${(loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(1)})`,
        `  idle / after warm-up (${warm.finished} orders) / end, MiB: RSS ${mib(idle.rss)} / ${mib(warm.rss)} / ${mib(last.rss)}; heap used ${mib(idle.heapUsed)} / ${mib(warm.heapUsed)} / ${mib(last.heapUsed)}; heap reserved ${mib(idle.heapTotal)} / ${mib(warm.heapTotal)} / ${mib(last.heapTotal)}; external ${mib(idle.external)} / ${mib(warm.external)} / ${mib(last.external)}`,
        `  heap retained after a full collection, MiB: ${collected.map((s) => `${mib(s.heapUsed)} at ${s.finished}`).join(', ')}`,
        `  per 10,000 finished orders after warm-up, MiB: RSS ${per10k((s) => s.rss)}, heap used ${per10k((s) => s.heapUsed)}, heap reserved ${per10k((s) => s.heapTotal)}, external ${per10k((s) => s.external)}, outside the heap (RSS - reserved - external) ${per10k((s) => s.rss - s.heapTotal - s.external)}`,
      ].join('\n'),
    );
    return [
      {
        name: `daemon RSS growth per 10,000 finished orders (${seconds} s)`,
        value: rssPer10k,
        unit: 'MiB',
        baselineName: 'daemon RSS idle, before its first order',
        baselineValue: idle.rss / MIB,
        goal: 'flat: <= 1 MiB per 10,000',
        met: rssPer10k <= 1,
      },
      {
        name: `daemon heap retained after a full collection, growth per 10,000 finished orders (${seconds} s)`,
        value: retainedPer10k,
        unit: 'MiB',
        baselineName: snapshots ? 'heap retained after warm-up (snapshot)' : 'heap retained idle, before its first order',
        baselineValue: (idleCollected ?? collected[0]!).heapUsed / MIB,
        goal: 'flat: <= 1 MiB per 10,000',
        met: retainedPer10k <= 1,
      },
    ];
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
