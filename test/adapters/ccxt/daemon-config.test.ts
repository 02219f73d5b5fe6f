// The daemon's `venue: { type: ccxt }` configuration: what is accepted, and the clear errors for what is not
// (secrets in the file, an unknown exchange, missing credentials, an unreachable exchange).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/daemon/config.ts';
import { startDaemon } from '../../../src/daemon/daemon.ts';

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
});
