// A graceful stop says which positions are left unprotected: open, with a stop held only by this daemon
// (emulated, not at the venue). And the stop hand-over to the venue is configurable, on by default.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/daemon/config.ts';
import { startDaemon } from '../../src/daemon/daemon.ts';
import { startTestDaemon, SYMBOL } from './fixture.ts';

describe('positions left unprotected by a stop', () => {
  it('names each open position whose stop is held locally, and no other', async () => {
    const daemon = await startTestDaemon();
    try {
      expect(daemon.engine.unprotectedPositions()).toEqual([]);
      const protectedLong = await daemon.request('POST', '/v1/positions', { body: { symbol: SYMBOL, direction: 'long', quantity: '0.1', plan: { stopLoss: { method: 'price', price: '49000' } } } });
      expect(protectedLong.status).toBe(201);
      daemon.settle();
      const position = daemon.engine.getPosition(protectedLong.body.position.positionId)!;
      expect(position.status).toBe('open');
      expect(daemon.engine.getOrder(position.stopOrderId!)?.status).toBe('emulated');
      expect(daemon.engine.unprotectedPositions()).toEqual([
        { positionId: position.positionId, symbol: SYMBOL, stopOrderId: position.stopOrderId, stopPrice: '49000', reason: 'venue paper cannot hold a stop order: the stop is held by this engine' },
      ]);
      // Closed, it leaves the list.
      await daemon.request('POST', `/v1/positions/${position.positionId}/close`, { body: {} });
      daemon.settle();
      expect(daemon.engine.unprotectedPositions()).toEqual([]);
    } finally {
      await daemon.close();
    }
  });

  it('hands stops to the venue by default and can be told not to', () => {
    expect(parseConfig({}).shutdown.handStopsToVenue).toBe(true);
    expect(parseConfig({ shutdown: { handStopsToVenue: false } }).shutdown.handStopsToVenue).toBe(false);
  });

  it('logs the unprotected positions by id at a graceful stop', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fillstate-shutdown-'));
    const config = parseConfig({ dataDir, server: { port: 0 }, demo: { enabled: false }, venue: { type: 'paper', nativeStops: false }, shutdown: { handStopsToVenue: false } });
    const daemon = await startDaemon({ config, env: { FILLSTATE_TOKEN: 'shutdown-test-token-0123456789' }, logger: pino({ level: 'info' }, sink) });
    let positionId: string;
    try {
      // The synthetic market runs on wall time: wait for a price, then for the entry to fill.
      while (daemon.engine.marketPrice(SYMBOL) === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      const price = daemon.engine.marketPrice(SYMBOL)!;
      positionId = daemon.engine.openPosition({ symbol: SYMBOL, direction: 'long', quantity: '0.01', plan: { stopLoss: { method: 'price', price: price.times('0.9').round(1).toFixed() } } }).positionId;
      while (daemon.engine.getPosition(positionId)?.status !== 'open') await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await daemon.shutdown('test');
    }
    const warning = lines.map((line) => JSON.parse(line) as { msg: string; unprotected?: { positionId: string }[] }).find((entry) => entry.unprotected !== undefined);
    expect(warning?.msg).toContain('left UNPROTECTED');
    expect(warning?.unprotected?.map((entry) => entry.positionId)).toEqual([positionId!]);
  }, 120_000);
});
