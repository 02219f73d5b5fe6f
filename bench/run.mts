// `npm run bench`: runs every benchmark and prints one table, each figure beside its same-run baseline.
import os from 'node:os';
import type { BenchRow } from './harness.ts';

const suites: Array<[string, () => Promise<{ run(): Promise<BenchRow[]> }>]> = [
  ['engine', () => import('./engine.bench.ts')],
  ['paper venue', () => import('./paper-venue.bench.ts')],
  ['store', () => import('./store.bench.ts')],
  ['positions', () => import('./positions.bench.ts')],
  ['perpetuals', () => import('./perpetuals.bench.ts')],
  ['websocket venue', () => import('./websocket-venue.bench.ts')],
  ['api', () => import('./api.bench.ts')],
  ['inspector', () => import('./inspector.bench.ts')],
  ['ccxt', () => import('./ccxt.bench.ts')],
  ['algos', () => import('./algos.bench.ts')],
  ['backtest', () => import('./backtest.bench.ts')],
  ['daemon soak', () => import('./daemon-soak.bench.ts')],
];

function format(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

const only = process.argv[2];
console.log(`fillstate bench, ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, node ${process.version}`);
console.log('| suite | measure | value | baseline | baseline value | ratio | goal | met |');
console.log('|---|---|---|---|---|---|---|---|');
let missed = 0;
for (const [suite, load] of suites) {
  if (only !== undefined && suite !== only) continue;
  const rows = await (await load()).run();
  for (const row of rows) {
    if (!row.met) missed++;
    const ratio = row.baselineValue === 0 ? '-' : `${(row.value / row.baselineValue).toFixed(2)}x`;
    console.log(`| ${suite} | ${row.name} | ${format(row.value, row.unit)} | ${row.baselineName} | ${format(row.baselineValue, row.unit)} | ${ratio} | ${row.goal} | ${row.met ? 'yes' : 'NO'} |`);
  }
}
console.log(missed === 0 ? 'every goal met' : `${missed} goal(s) not met`);
