// The README's promises hold: its library examples run exactly as written, its API table lists exactly the routes
// the daemon serves and the fields each accepts, and the texts it quotes are the ones a user sees.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NEVER_REACHED_VENUE } from '../src/index.ts';
import { orderRequestSchema } from '../src/domain/order-request.ts';
import * as schemas from '../src/daemon/schemas.ts';
import { performanceQuerySchema } from '../src/daemon/routes/performance.ts';
import { startTestDaemon } from './daemon/fixture.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every ```ts block of the README, in order: each is a program that must run as written. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  if (examples.length === 0) throw new Error('README.md has no ```ts example');
  return examples;
}

/** Runs an example twice inside the package (so `import ... from 'fillstate'` resolves to this checkout, as it would for a user); both outputs must agree. */
function runTwice(name: string, source: string): string {
  const directory = join(root, 'test-artifacts');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${name}.mts`);
  writeFileSync(file, source);
  const run = () => execFileSync(join(root, 'node_modules/.bin/tsx'), [file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const output = run();
  expect(run()).toBe(output);
  return output;
}

describe('README', () => {
  it('starts with the set-up commands', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock.split('\n')[0]).toBe('npm install');
    expect(firstBlock).toContain('npm start');
    expect(firstBlock).toContain('npm test');
  });

  it('library example runs as written and is deterministic', () => {
    const output = runTwice('readme-example', readmeExamples()[0]!);
    // Subscribers hear an event once the turn that announced it has settled: the order has been sent by then.
    expect(output).toMatch(/^1 OrderInitialized submitted$/m);
    expect(output).toMatch(/OrderAccepted open/);
    expect(output).toMatch(/OrderFilled filled/);
    expect(output).toMatch(/^filled 0\.5 /m);
  }, 90_000);

  it('signal example opens a protected position that goes through break-even and trailing to its trailing stop', () => {
    expect(readmeExamples()).toHaveLength(3);
    const output = runTwice('readme-signal-example', readmeExamples()[1]!);
    const lines = output.split('\n');
    expect(lines[0]).toBe('opened');
    const phases = lines.filter((line) => /^(opened |breakEven|trailing|closed by)/.test(line)).map((line) => line.split(' ')[0] + (line.startsWith('closed by') ? ` ${line.split(' ')[2]}` : ''));
    expect(phases).toEqual(['opened', 'breakEven', 'trailing', 'closed trailing']);
    expect(output).toMatch(/trades: 1, winRate: '1'/);
    // The README quotes these lines.
    expect(output).toContain('opened 0.4 BTC at 49996.1 stop 49496.1');
    expect(output).toContain('breakEven stop 50196.5');
  }, 90_000);

  it('algorithm example slices a TWAP over its horizon and protects a bracket for what its entry filled', () => {
    const output = runTwice('readme-algo-example', readmeExamples()[2]!);
    expect(output.split('\n').slice(0, 3)).toEqual([
      'working 1 of 2 slices 6 of 10',
      'completed 2 children 10',
      'active entry 0.5 protected entry -, takeProfit 0.5, stopLoss 0.5',
    ]);
  }, 90_000);
});

/** The API table: one row per route, `METHOD /path`, and the body or query fields it accepts. */
function apiTable(): { route: string; kind: 'body' | 'query' | 'none'; fields: string[] }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### HTTP API'), readme.indexOf('### CLI'));
  return section
    .split('\n')
    .filter((line) => /^\| `(GET|POST|PUT|PATCH|DELETE|WS) \//.test(line))
    .map((line) => {
      const [route, accepts] = line.split('|').slice(1, 3).map((cell) => cell.trim());
      const fields = /^(body|query) `(.*)`$/.exec(accepts!);
      if (fields === null) return { route: route!.slice(1, -1), kind: 'none' as const, fields: [] };
      return { route: route!.slice(1, -1), kind: fields[1] as 'body' | 'query', fields: fields[2] === '{}' ? [] : fields[2]!.split(', ') };
    });
}

/** A strict object schema's fields as the README writes them: `name`, or `name?` when optional. */
function fieldsOf(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).map(([name, field]) => ((field as z.ZodType).safeParse(undefined).success ? `${name}?` : name));
}

/** Which schema each documented body or query is parsed with (PATCH: the engine's amendment, checked by request). */
const SCHEMAS: Record<string, z.ZodObject> = {
  'POST /v1/orders': orderRequestSchema,
  'GET /v1/orders': schemas.listOrdersQuerySchema,
  'POST /v1/positions': schemas.openPositionSchema,
  'GET /v1/positions': schemas.listPositionsQuerySchema,
  'POST /v1/positions/:positionId/close': schemas.closePositionSchema,
  'PUT /v1/positions/:positionId/stop': schemas.updateStopSchema,
  'PUT /v1/positions/:positionId/take-profit': schemas.updateTakeProfitSchema,
  'POST /v1/signals': schemas.signalBodySchema,
  'GET /v1/algos': schemas.listAlgosQuerySchema,
  'POST /v1/algos/:algoId/pause': schemas.emptySchema,
  'POST /v1/algos/:algoId/resume': schemas.emptySchema,
  'POST /v1/algos/:algoId/cancel': schemas.cancelParentSchema,
  'GET /v1/order-lists': schemas.listOrderListsQuerySchema,
  'POST /v1/order-lists/:listId/cancel': schemas.cancelParentSchema,
  'GET /v1/account': schemas.accountQuerySchema,
  'GET /v1/fills': schemas.fillsQuerySchema,
  'GET /v1/performance': performanceQuerySchema,
  'POST /v1/halt': schemas.haltSchema,
  'POST /v1/reduce-only': schemas.haltSchema,
  'POST /v1/resume': schemas.emptySchema,
  'POST /v1/close-all': schemas.closeAllSchema,
  'GET /v1/events': schemas.eventsQuerySchema,
  'WS /v1/stream': schemas.streamQuerySchema,
};

describe('README API table', () => {
  it('lists exactly the routes the daemon serves', async () => {
    const daemon = await startTestDaemon();
    try {
      expect(apiTable().map((row) => row.route).sort()).toEqual([...daemon.server.routes()].sort());
    } finally {
      await daemon.close();
    }
  });

  it('lists exactly the fields each route accepts', () => {
    for (const row of apiTable()) {
      const schema = SCHEMAS[row.route];
      if (schema !== undefined) expect(row.fields, row.route).toEqual(fieldsOf(schema));
      else expect(row.kind, `${row.route} accepts fields the test cannot check against a schema`).toMatch(/^(none|body)$/);
    }
  });

  it('lists for amendments exactly the fields the API accepts', async () => {
    const daemon = await startTestDaemon();
    try {
      const created = await daemon.request('POST', '/v1/orders', { body: { symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.01', price: '49000' } });
      const orderId = created.body.order.orderId as string;
      daemon.settle();
      const documented = apiTable().find((row) => row.route === 'PATCH /v1/orders/:orderId')!.fields;
      expect(documented).toEqual(['price?', 'quantity?', 'stopPrice?']);
      // Each documented field is read (a wrong value is named), and an undocumented one is refused as unknown.
      for (const field of documented.map((name) => name.replace('?', ''))) {
        const answer = await daemon.request('PATCH', `/v1/orders/${orderId}`, { body: { [field]: 'x' } });
        expect(answer.body.error.message, field).toContain(field);
      }
      const unknown = await daemon.request('PATCH', `/v1/orders/${orderId}`, { body: { side: 'sell' } });
      expect(unknown.status).toBe(400);
    } finally {
      await daemon.close();
    }
  });

  it('quotes the reason an order that never reached the venue is canceled with', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`"${NEVER_REACHED_VENUE}"`);
  });

  it('does not promise a margin field the position route refuses', () => {
    expect(fieldsOf(schemas.openPositionSchema)).not.toContain('margin?');
    expect(apiTable().find((row) => row.route === 'POST /v1/positions')!.fields).not.toContain('margin?');
  });
});
