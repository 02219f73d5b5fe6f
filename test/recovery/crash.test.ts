// Crash test of the engine process: engine + SQLite store + WebSocket venue client (test/recovery/crash-child.ts)
// is killed with SIGKILL at random points while it places orders that fill on a paper venue server running in
// its own process, restarted, many times; then it finishes cleanly. Its file must then equal the venue's record.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { expectStoreEqualsVenue, seededRandom, startProcess, startVenueServer, stopProcess, venueTruth, type Child, type Line } from './crash-support.ts';

const KILLS = 12;
const ORDERS = 120;
const token = randomBytes(16).toString('hex');
let directory: string;
let venueServer: Child | undefined;
let venueUrl: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'fillstate-crash-'));
  const started = await startVenueServer(token);
  venueServer = started.server;
  venueUrl = started.url;
});

afterAll(async () => {
  await stopProcess(venueServer);
  rmSync(directory, { recursive: true, force: true });
});

describe('crash test of the engine process: SIGKILL at random points, restart, compare with the venue', () => {
  it(`survives ${KILLS} kills with nothing lost, nothing sent twice, nothing counted twice`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const next = seededRandom(seed);
    const path = join(directory, 'fillstate.db');
    const env = { CRASH_DB: path, CRASH_VENUE_URL: venueUrl, CRASH_ORDERS: String(ORDERS), FILLSTATE_PAPER_VENUE_TOKEN: token };
    let submittedBeforeKills = 0;
    const recoveries: Line[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const run = startProcess('test/recovery/crash-child.ts', [], env);
      recoveries.push(await run.next((line) => line.ready === true));
      // Somewhere in the workload: right after recovery, mid-burst, or while fills come in.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(next() * 350)));
      run.child.kill('SIGKILL');
      expect(await run.exited, `seed ${seed}`).toBe(null);
      submittedBeforeKills += run.lines.filter((line) => typeof line.submitted === 'string').length;
    }
    const last = startProcess('test/recovery/crash-child.ts', [], { ...env, CRASH_FINISH: '1' });
    recoveries.push(await last.next((line) => line.ready === true));
    const done = await last.next((line) => line.done === true);
    expect(await last.exited).toBe(0);
    expect(done.left, `seed ${seed}`).toEqual([]);
    // The kills landed while orders were being placed, not only before the first one.
    expect(submittedBeforeKills, `seed ${seed}`).toBeGreaterThan(0);
    if (process.env.CRASH_VERBOSE) {
      // What each start found: restored orders, and the reconciliation's counts.
      const summary = recoveries.map((line) => {
        const recovery = line.recovery as { restoredOrders: number; venues: Array<{ checked: number; adopted: string[]; unknownAtVenue: string[]; fillsApplied: number }> };
        const venue = recovery.venues[0]!;
        return { restored: recovery.restoredOrders, checked: venue.checked, adopted: venue.adopted.length, unknownAtVenue: venue.unknownAtVenue.length, fillsApplied: venue.fillsApplied };
      });
      console.log(JSON.stringify({ seed, submittedBeforeKills, summary }));
    }

    const truth = await venueTruth(venueUrl, token);
    const store = openStore({ path });
    try {
      expectStoreEqualsVenue(store, truth, Array.from({ length: ORDERS }, (_, index) => `w${index}`), '10', `seed ${seed}`);
    } finally {
      store.close();
    }
  }, 150_000);
});
