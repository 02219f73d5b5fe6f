// Configuration (file, environment, flags; errors name path and reason; no secrets in files) and the token
// (generated owner-only, reused, refused when others can read it, compared in constant time).
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/daemon/config.ts';
import { createTokenCheck, readClientToken, resolveToken, TokenError } from '../../src/daemon/token.ts';
import { ClientRateLimiter } from '../../src/daemon/rate-limit.ts';
import { redactUrl, createLogger } from '../../src/daemon/logger.ts';
import { Writable } from 'node:stream';

function temporaryDirectory(): string {
  return mkdtempSync(path.join(tmpdir(), 'fillstate-config-'));
}

function issuesOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('no ConfigError was thrown');
}

describe('configuration', () => {
  it('starts on the paper venue, on 127.0.0.1, with a demo, when there is no config at all', () => {
    const { config, file } = loadConfig({ cwd: temporaryDirectory(), env: {} });
    expect(file).toBeUndefined();
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 7800 });
    expect(config.venue.type).toBe('paper');
    expect(config.dataDir).toBe('./data');
    expect(config.demo.enabled).toBe(true);
    expect(config.shutdown.cancelOpenOrders).toBe(false);
  });

  it('reads fillstate.config.json or YAML, then the environment, then flags', () => {
    const directory = temporaryDirectory();
    writeFileSync(path.join(directory, 'fillstate.config.yaml'), 'server:\n  port: 9100\nrisk:\n  maxQuantity: "2"\nshutdown:\n  cancelOpenOrders: true\n');
    const fromFile = loadConfig({ cwd: directory, env: {} });
    expect(fromFile.file).toBe(path.join(directory, 'fillstate.config.yaml'));
    expect(fromFile.config.server.port).toBe(9100);
    expect(fromFile.config.risk).toEqual({ maxQuantity: '2' });
    expect(fromFile.config.shutdown.cancelOpenOrders).toBe(true);
    const withEnvironment = loadConfig({ cwd: directory, env: { FILLSTATE_PORT: '9200', FILLSTATE_DEMO: 'false', FILLSTATE_DATA_DIR: '/var/fillstate' } });
    expect(withEnvironment.config).toMatchObject({ server: { port: 9200 }, demo: { enabled: false }, dataDir: '/var/fillstate' });
    const withFlags = loadConfig({ cwd: directory, env: { FILLSTATE_PORT: '9200' }, overrides: { port: 9300, host: '::1' } });
    expect(withFlags.config.server).toMatchObject({ port: 9300, host: '::1' });

    const json = path.join(directory, 'other.json');
    writeFileSync(json, JSON.stringify({ venue: { type: 'websocket', url: 'ws://127.0.0.1:9400/venue' } }));
    const remote = loadConfig({ cwd: directory, configPath: 'other.json', env: {} }).config.venue;
    expect(remote).toEqual({ type: 'websocket', id: 'remote', url: 'ws://127.0.0.1:9400/venue', tokenEnv: 'FILLSTATE_VENUE_TOKEN' });
  });

  it('names the path and the reason of every error', () => {
    const issues = issuesOf(() =>
      parseConfig({
        server: { port: 70000, colour: 'blue' },
        venue: { type: 'paper', balances: { USDT: 100 }, instruments: [{ symbol: 'X' }] },
        risk: { maxLeverage: '-2', maxOpenPositions: 1.5 },
        log: { level: 'loud' },
      }),
    );
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^server\.port: .*65535/),
      'server: unknown setting "colour"',
      'venue.balances.USDT: balance must be a decimal string such as "0.5"',
      'venue.instruments.0.base: required, expected string',
      'risk.maxLeverage: maxLeverage must be above 0',
      expect.stringMatching(/^risk\.maxOpenPositions: .*expected int/),
      expect.stringMatching(/^log\.level: /),
    ]));
    expect(issuesOf(() => parseConfig({ signals: { sizing: { method: 'guess' }, plan: { stopLoss: { method: 'percent', percent: 'two' } } } }))).toEqual([
      expect.stringMatching(/^signals\.sizing\.method: /),
      'signals.plan.stopLoss.percent: percent must be a decimal number, got "two"',
    ]);
    expect(parseConfig({ signals: { sizing: { method: 'risk', riskFraction: '0.01' }, minConfidence: '0.3' } }).signals).toEqual({ sizing: { method: 'risk', riskFraction: '0.01' }, minConfidence: '0.3' });
    expect(issuesOf(() => parseConfig({ venue: { type: 'carrier-pigeon' } }))).toEqual(['venue.type: venue.type must be "paper", "websocket" or "ccxt"']);
    expect(issuesOf(() => parseConfig({ venue: { type: 'websocket', url: 'http://example.com' } }))).toEqual(['venue.url: url must be a ws:// or wss:// URL']);
    expect(issuesOf(() => parseConfig([]))).toEqual(['(root): the configuration must be an object of settings']);
  });

  it('says which environment variable or flag is wrong', () => {
    expect(issuesOf(() => parseConfig({}, { env: { FILLSTATE_PORT: 'eighty' } }))).toEqual([expect.stringMatching(/^server\.port: .* \(set by FILLSTATE_PORT\)$/)]);
    expect(issuesOf(() => parseConfig({}, { env: {}, overrides: { logLevel: 'chatty' } }))).toEqual([expect.stringMatching(/^log\.level: .* \(set by --log-level\)$/)]);
  });

  it('refuses secrets in a file, wherever they are', () => {
    expect(issuesOf(() => parseConfig({ token: 'abc', venue: { type: 'websocket', url: 'ws://127.0.0.1:1', apiKey: 'k', nested: { secret: 's' } } }))).toEqual([
      expect.stringMatching(/^token: secrets are not read from files/),
      expect.stringMatching(/^venue\.apiKey: secrets are not read from files/),
      expect.stringMatching(/^venue\.nested\.secret: secrets are not read from files/),
    ]);
  });

  it('reports unreadable files with the file name', () => {
    const directory = temporaryDirectory();
    writeFileSync(path.join(directory, 'fillstate.config.json'), '{ "server": ');
    const error = (() => {
      try {
        loadConfig({ cwd: directory, env: {} });
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('loaded');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.source).toBe(path.join(directory, 'fillstate.config.json'));
    expect(error.issues[0]).toMatch(/^\(root\): not valid JSON/);
    expect(() => loadConfig({ cwd: directory, configPath: 'missing.yaml', env: {} })).toThrow(/missing\.yaml[\s\S]*does not exist/);
  });
});

describe('token', () => {
  it('generates a token at first start into <data-dir>/token with mode 0600, then reuses it', () => {
    const dataDir = path.join(temporaryDirectory(), 'data');
    const first = resolveToken(dataDir, {});
    expect(first.origin).toBe('generated');
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dataDir, 'token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dataDir, 'token'), 'utf8').trim()).toBe(first.token);
    const second = resolveToken(dataDir, {});
    expect(second).toMatchObject({ origin: 'file', token: first.token });
    expect(readClientToken({ dataDir, env: {} })).toBe(first.token);
    expect(readClientToken({ dataDir, env: { FILLSTATE_TOKEN: 'from-environment-123' } })).toBe('from-environment-123');
    expect(readClientToken({ dataDir, token: 'given', env: { FILLSTATE_TOKEN: 'from-environment-123' } })).toBe('given');
  });

  it('takes FILLSTATE_TOKEN over the file, refuses a short one, and a token file others can read', () => {
    const dataDir = temporaryDirectory();
    expect(resolveToken(dataDir, { FILLSTATE_TOKEN: 'a-long-enough-token' })).toEqual({ token: 'a-long-enough-token', origin: 'environment' });
    expect(() => resolveToken(dataDir, { FILLSTATE_TOKEN: 'short' })).toThrow(TokenError);
    resolveToken(dataDir, {});
    chmodSync(path.join(dataDir, 'token'), 0o644);
    expect(() => resolveToken(dataDir, {})).toThrow(/readable by others.*chmod 600/);
  });

  it('accepts only the exact token', () => {
    const check = createTokenCheck('the-right-token-123');
    expect(check('the-right-token-123')).toBe(true);
    for (const wrong of [undefined, '', 'the-right-token-12', 'the-right-token-1234', 'THE-RIGHT-TOKEN-123']) expect(check(wrong)).toBe(false);
  });
});

describe('rate limiter', () => {
  it('allows a burst, then one request per refill interval, per client', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ burst: 3, perSecond: 2 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBeCloseTo(0.5);
    expect(limiter.take('b')).toBe(0);
    now = 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  it('redact authorization headers, tokens, keys and secrets, and tokens in URLs', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.info({ req: { headers: { authorization: 'Bearer s3cr3t-a' } }, token: 's3cr3t-b', venue: { apiKey: 's3cr3t-c', secret: 's3cr3t-d' } }, 'hello');
    logger.info({ req: { method: 'GET', url: '/v1/stream?after=3&token=s3cr3t-e' } }, 'request');
    const text = lines.join('');
    expect(text).toContain('hello');
    expect(text).not.toMatch(/s3cr3t/);
    expect(text).toContain('[Redacted]');
    expect(redactUrl('/inspector?token=abc&x=1')).toBe('/inspector?token=[Redacted]&x=1');
  });
});
