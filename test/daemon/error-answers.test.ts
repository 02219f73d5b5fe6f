// Every error answer of the API has one shape, `{ error: { code, message, details? } }`, with a code from the
// daemon's catalogue and a sentence: also the answers fastify or Node's HTTP parser would otherwise write
// (unknown route, URL or headers too long, bad JSON, shutdown), and every engine error maps to its status.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as engineErrors from '../../src/engine/errors.ts';
import { API_ERROR_CODES, toApiError, type ApiErrorCode } from '../../src/daemon/errors.ts';
import { MAX_PARAM_LENGTH, MAX_URL_LENGTH } from '../../src/daemon/server.ts';
import { startTestDaemon, SYMBOL, TOKEN, type ApiResponse, type TestDaemon } from './fixture.ts';

let daemon: TestDaemon | undefined;

afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

/** The answer is in the API's error shape, with the catalogue's status for its code and a sentence. */
function expectErrorAnswer(response: { status: number; body: unknown }, code: ApiErrorCode): void {
  expect(response.body, JSON.stringify(response.body)).toMatchObject({ error: { code, message: expect.any(String) } });
  const { error } = response.body as { error: { message: string } };
  expect(error.message.length, error.message).toBeGreaterThan(15);
  expect(error.message).toMatch(/^[a-z"]/);
  expect(response.status).toBe(API_ERROR_CODES[code].status);
}

/** Raw HTTP/1.1 over one TCP connection: writes `requests` as they come and returns every answer, parsed. */
async function rawExchange(url: string, write: (send: (request: string) => void) => Promise<void>): Promise<ApiResponse[]> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  await write((request) => socket.write(request));
  await ended;
  const answers: ApiResponse[] = [];
  let rest = received;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headerEnd = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, headerEnd);
    const lines = head.split('\r\n');
    const headers = new Headers(lines.slice(1).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
    const length = Number(headers.get('content-length'));
    const bodyText = Buffer.from(rest.slice(headerEnd + 4)).subarray(0, length).toString('utf8');
    answers.push({ status: Number(lines[0]!.split(' ')[1]), body: JSON.parse(bodyText), headers });
    rest = Buffer.from(rest.slice(headerEnd + 4)).subarray(length).toString('utf8');
  }
  return answers;
}

describe('error answers', () => {
  it('answers an unknown route with 404 not_found, a sentence naming the route, and no giant echo', async () => {
    daemon = await startTestDaemon();
    const response = await daemon.request('GET', '/v1/nothing?x=1');
    expectErrorAnswer(response, 'not_found');
    expect(response.body.error.message).toContain('GET /v1/nothing');
    const long = await daemon.request('DELETE', `/v2/${'a'.repeat(3000)}`);
    expectErrorAnswer(long, 'not_found');
    expect(long.body.error.message.length).toBeLessThan(400);
  });

  it('answers a URL longer than the server accepts with 414 uri_too_long, and one beyond the header limit with 431', async () => {
    daemon = await startTestDaemon();
    const tooLong = await daemon.request('GET', `/v1/orders?symbol=${'B'.repeat(MAX_URL_LENGTH)}`);
    expectErrorAnswer(tooLong, 'uri_too_long');
    expectErrorAnswer(await daemon.request('GET', `/v1/orders/${'o'.repeat(MAX_PARAM_LENGTH + 1)}`), 'uri_too_long');
    // Beyond Node's 16 KiB header limit the HTTP parser refuses the request before fastify sees it.
    const [huge] = await rawExchange(daemon.url, async (send) => send(`GET /v1/orders?symbol=${'B'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
    expectErrorAnswer(huge!, 'headers_too_large');
    expect(huge!.headers.get('content-type')).toBe('application/json');
  });

  it('answers bad JSON, a bad body, a bad URL encoding and a request that is not HTTP with 400 and a code', async () => {
    daemon = await startTestDaemon();
    expectErrorAnswer(await daemon.request('POST', '/v1/orders', { rawBody: '{"symbol":' }), 'malformed_json');
    expectErrorAnswer(await daemon.request('POST', '/v1/positions', { body: { symbol: SYMBOL, direction: 'up' } }), 'invalid_request');
    expectErrorAnswer(await daemon.request('POST', '/v1/orders', { body: { symbol: SYMBOL, side: 'buy' } }), 'invalid_order');
    expectErrorAnswer(await daemon.request('GET', '/v1/orders/%E0%A4%A'), 'invalid_url');
    const [garbage] = await rawExchange(daemon.url, async (send) => send('HELLO THERE\r\n\r\n'));
    expectErrorAnswer(garbage!, 'bad_request');
  });

  it('answers 401 without a token and 429 beyond the rate limit in the same shape', async () => {
    daemon = await startTestDaemon({ rateLimit: { perSecond: 0.001, burst: 1 } });
    const unauthorized = await daemon.request('GET', '/v1/orders', { token: null });
    expectErrorAnswer(unauthorized, 'unauthorized');
    const limited = await daemon.request('GET', '/v1/orders');
    expectErrorAnswer(limited, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers a request that arrives while the daemon shuts down with 503 shutting_down, after finishing the one in flight', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    daemon = await startTestDaemon({
      plugins: [
        (app) => {
          app.get('/v1/test/slow', async () => {
            arrived();
            await released;
            return { done: true };
          });
        },
      ],
    });
    const running = daemon;
    let closed: Promise<void> | undefined;
    const answers = await rawExchange(running.url, async (send) => {
      send(`GET /v1/test/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      await inFlight;
      closed = running.server.close();
      // A second request on the same open connection, once the shutdown has begun.
      send(`GET /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      await new Promise((resolve) => setImmediate(resolve));
      release();
    });
    await closed;
    expect(answers).toHaveLength(2);
    expect(answers[0]!.status).toBe(200);
    expect(answers[0]!.body).toEqual({ done: true });
    expectErrorAnswer(answers[1]!, 'shutting_down');
  });

  it('maps every error the engine raises to its catalogued code and status, with what it names as details', () => {
    type AnyErrorClass = new (...args: unknown[]) => Error & { code: string };
    const errorClasses = (Object.values(engineErrors) as unknown[]).filter((value): value is AnyErrorClass => typeof value === 'function' && value.prototype instanceof Error);
    expect(errorClasses.length).toBeGreaterThan(0);
    for (const ErrorClass of errorClasses) {
      // Arguments every constructor accepts: an id, a state or list of known names, a message.
      const error = new ErrorClass('x-1', ['open'], 'cannot do that now');
      const answer = toApiError(error);
      expect(answer, ErrorClass.name).toBeDefined();
      expect(answer!.code).toBe(error.code);
      expect(answer!.statusCode).toBe(API_ERROR_CODES[error.code as ApiErrorCode].status);
      expect(answer!.body().error.message).toBe(error.message);
    }
    expect(toApiError(new engineErrors.OrderStateError('o-1', 'filled', 'order o-1 is filled'))!.details).toEqual({ orderId: 'o-1', state: 'filled' });
    // An error nobody mapped is a bug (500), never a refusal with a guessed code.
    expect(toApiError(new Error('boom'))).toBeUndefined();
  });
});
