import { run } from './engine.bench.ts';
for (const row of await run()) console.log(row.name, '|', Math.round(row.value), row.unit, '|', row.baselineName, Math.round(row.baselineValue), row.met);
