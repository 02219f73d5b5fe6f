// The daemon's `venue: { type: ccxt }` configuration: what is accepted, and the clear errors for what is not
// (secrets in the file, an unknown exchange, missing credentials, an unreachable exchange).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/daemon/config.ts';
import { startDaemon } from '../../../src/daemon/daemon.ts';
import { Writable } from 'node:stream';
import { OkxSimulator } from '../../fixtures/okx-simulator/simulator.ts';
import { API_KEY, SECRET, eventually, startSimulator } from './support.ts';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const ccxtVenue = { type: 'ccxt', exchange: 'binance', market: 'future', testnet: true, apiKeyEnv: 'MY_KEY', secretEnv: 'MY_SECRET' };

describe('daemon configuration of a ccxt venue', () => {
  it('accepts binance spot or futures with credentials named by environment variables, an url override and dry run', () => {
    const config = parseConfig({ venue: { ...ccxtVenue, urls: { rest: 'http://127.0.0.1:9000', ws: 'ws://127.0.0.1:9000' }, dryRun: true, leverage: { 'BTC/USDT:USDT': 3 } } });
    expect(config.venue).toMatchObject({ type: 'ccxt', id: 'exchange', exchange: 'binance', market: 'future', testnet: true, apiKeyEnv: 'MY_KEY', secretEnv: 'MY_SECRET', dryRun: true });
  });

  it('refuses secrets in the file, an unknown exchange or market, and URLs of the wrong kind, naming each', () => {
    expect(() => parseConfig({ venue: { ...ccxtVenue, secret: 'abc' } })).toThrow(/venue\.secret: secrets are not read from files/);
    expect(() => parseConfig({ venue: { ...ccxtVenue, apiKey: 'abc' } })).toThrow(/venue\.apiKey: secrets are not read from files/);
    expect(() => parseConfig({ venue: { ...ccxtVenue, exchange: 'mtgox' } })).toThrow(ConfigError);
    expect(() => parseConfig({ venue: { ...ccxtVenue, exchange: 'mtgox' } })).toThrow(/venue\.exchange: .*binance/);
    expect(() => parseConfig({ venue: { ...ccxtVenue, market: 'options' } })).toThrow(/venue\.market: venue\.market must be "spot" or "future"/);
    expect(() => parseConfig({ venue: { ...ccxtVenue, urls: { rest: 'ws://127.0.0.1:1', ws: 'ws://127.0.0.1:1' } } })).toThrow(/venue\.urls\.rest/);
    expect(() => parseConfig({ venue: { ...ccxtVenue, apiKeyEnv: 'lower-case' } })).toThrow(/apiKeyEnv must name an environment variable/);
  });

  it('a daemon start fails clearly without the credentials, and when the exchange cannot be reached', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-ccxt-config-'));
    directories.push(directory);
    const logger = pino({ level: 'silent' });
    const base = { dataDir: join(directory, 'data'), server: { port: 0 }, demo: { enabled: false } };
    const missing = parseConfig({ ...base, venue: ccxtVenue });
    await expect(startDaemon({ config: missing, env: { FILLSTATE_TOKEN: 'a'.repeat(40) }, logger })).rejects.toThrow('needs its API credentials in the environment variables MY_KEY and MY_SECRET');
    const unreachable = parseConfig({ ...base, venue: { ...ccxtVenue, market: 'spot', urls: { rest: 'http://127.0.0.1:9', ws: 'ws://127.0.0.1:9' } } });
    await expect(startDaemon({ config: unreachable, env: { FILLSTATE_TOKEN: 'a'.repeat(40), MY_KEY: 'k', MY_SECRET: 's' }, logger })).rejects.toThrow(/binance spot at http:\/\/127\.0\.0\.1:9 is unreachable/);
  });

  it('runs a paper venue beside a live one (here a dry run against the simulator); `venue` and `venues` together are refused', async () => {
    expect(() => parseConfig({ venue: { type: 'paper' }, venues: [{ type: 'paper' }] })).toThrow(/either "venue" \(one\) or "venues"/);
    expect(() => parseConfig({ venues: [{ type: 'paper' }, { ...ccxtVenue, id: 'paper' }] })).toThrow(/each venue needs its own id/);
    const simulator = await startSimulator('spot');
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-ccxt-venues-'));
    directories.push(directory);
    const config = parseConfig({
      dataDir: join(directory, 'data'),
      server: { port: 0 },
      demo: { enabled: false },
      venues: [{ type: 'paper' }, { ...ccxtVenue, id: 'binance', market: 'spot', dryRun: true, symbols: ['BTC/USDT'], urls: { rest: simulator.restUrl, ws: simulator.wsUrl } }],
    });
    const daemon = await startDaemon({ config, env: { FILLSTATE_TOKEN: 'a'.repeat(40), MY_KEY: API_KEY, MY_SECRET: SECRET }, logger: pino({ level: 'silent' }) });
    try {
      expect(daemon.engine.venueIds()).toEqual(['paper', 'binance']);
      const live = daemon.engine.submitOrder({ clientOrderId: 'multi-live', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '50000' });
      await eventually(() => daemon.engine.getOrder(live.orderId)?.status === 'rejected', 'refused by the dry run');
      expect(daemon.engine.getOrder(live.orderId)?.reason).toMatch(/dry run/);
      const paper = daemon.engine.submitOrder({ clientOrderId: 'multi-paper', venue: 'paper', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '1000' });
      await eventually(() => daemon.engine.getOrder(paper.orderId)?.status === 'open', 'working at the paper venue');
      expect(simulator.requests.some((request) => request.startsWith('POST /api/v3/order'))).toBe(false);
    } finally {
      await daemon.shutdown('test over');
      await simulator.stop();
    }
  });

  it('takes an OKX passphrase only from the environment variable passwordEnv names, and never logs it', async () => {
    const okx = { type: 'ccxt', id: 'okx', exchange: 'okx', market: 'spot', apiKeyEnv: 'OKX_KEY', secretEnv: 'OKX_SECRET', passwordEnv: 'OKX_PASSPHRASE', symbols: ['BTC/USDT'] };
    expect(() => parseConfig({ venue: { ...okx, passphrase: 'in-the-file' } })).toThrow(/venue\.passphrase: secrets are not read from files/);
    expect(() => parseConfig({ venue: { ...okx, password: 'in-the-file' } })).toThrow(/venue\.password: secrets are not read from files/);
    expect(() => parseConfig({ venue: { ...okx, passwordEnv: undefined } })).toThrow(/venue\.passwordEnv: an OKX key has a passphrase/);
    expect(() => parseConfig({ venue: { ...okx, passwordEnv: 'okx-pass' } })).toThrow(/passwordEnv must name an environment variable/);
    expect(() => parseConfig({ venue: { ...okx, market: 'future' } })).toThrow(/venue\.market: the OKX profile trades the spot market only/);

    const credentials = { OKX_KEY: 'okx-daemon-key-0123456789', OKX_SECRET: 'okx-daemon-secret-abcdefghij', OKX_PASSPHRASE: 'okx-daemon-passphrase-XYZ' };
    const simulator = await new OkxSimulator({ apiKey: credentials.OKX_KEY, secret: credentials.OKX_SECRET, passphrase: credentials.OKX_PASSPHRASE }).start();
    const directory = mkdtempSync(join(tmpdir(), 'fillstate-okx-config-'));
    directories.push(directory);
    let logged = '';
    const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _, done) { logged += String(chunk); done(); } }));
    const base = { dataDir: join(directory, 'data'), server: { port: 0 }, demo: { enabled: false }, log: { level: 'trace' } };
    const venue = { ...okx, testnet: false, urls: { rest: simulator.restUrl, ws: simulator.wsUrl } };
    try {
      const missing = parseConfig({ ...base, venue });
      await expect(startDaemon({ config: missing, env: { FILLSTATE_TOKEN: 'a'.repeat(40), OKX_KEY: credentials.OKX_KEY, OKX_SECRET: credentials.OKX_SECRET }, logger })).rejects.toThrow('needs its API credentials in the environment variable OKX_PASSPHRASE');
      const daemon = await startDaemon({ config: parseConfig({ ...base, venue }), env: { FILLSTATE_TOKEN: 'a'.repeat(40), ...credentials }, logger });
      try {
        const order = daemon.engine.submitOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '50000' });
        await eventually(() => daemon.engine.getOrder(order.orderId)?.status === 'open', 'working at OKX, signed with the passphrase');
        simulator.fill(simulator.book.orders.values().next().value!.clientOrderId, '0.01');
        await eventually(() => daemon.engine.getOrder(order.orderId)?.status === 'filled', 'filled');
      } finally {
        await daemon.shutdown('test over');
      }
      // A wrong passphrase stops the start with the exchange's reason, and the passphrase is in no log line.
      const wrong = startDaemon({ config: parseConfig({ ...base, venue }), env: { FILLSTATE_TOKEN: 'a'.repeat(40), ...credentials, OKX_PASSPHRASE: 'not-the-passphrase-QQ' }, logger });
      await expect(wrong).rejects.toThrow(/refused the API key/);
      expect(logged.length).toBeGreaterThan(0);
      for (const secret of [...Object.values(credentials), 'not-the-passphrase-QQ']) expect(logged.includes(secret), 'a credential in the log').toBe(false);
    } finally {
      await simulator.stop();
    }
  });
});
