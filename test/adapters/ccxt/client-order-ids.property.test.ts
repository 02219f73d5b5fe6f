// The client order id codec on its own: every engine id either maps to an id the exchange admits and back,
// or is refused with the reason; two engine ids never share an exchange id; ids already admitted go as they are.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BINANCE_CLIENT_ORDER_IDS, BYBIT_CLIENT_ORDER_IDS, ClientOrderIdCodec, OKX_CLIENT_ORDER_IDS, type ClientOrderIdRule } from '../../../adapters/ccxt/client-order-ids.ts';

const ENGINE_CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._:-';
const engineId = fc.string({ unit: fc.constantFrom(...ENGINE_CHARACTERS), minLength: 1, maxLength: 36 });
/** Ids shaped as the engine makes them: fs-<prefix>-<n>, and a position's orders fs-<prefix>-p<n>.<role><k>. */
const engineMadeId = fc
  .tuple(fc.string({ unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 10 }), fc.nat(1_000_000), fc.option(fc.tuple(fc.constantFrom('e', 'sl', 'tp', 'si', 'x'), fc.nat(99))))
  .map(([prefix, serial, role]) => (role === null ? `fs-${prefix}-${serial}` : `fs-${prefix}-p${serial}.${role[0]}${role[1]}`));

const admittedBy = (rule: ClientOrderIdRule) => new RegExp(`^[${rule.alphabet.replace(/[-\]\\/]/g, '\\$&')}]{1,${rule.maxLength}}$`);

describe.each([
  ['OKX', OKX_CLIENT_ORDER_IDS],
  ['Bybit', BYBIT_CLIENT_ORDER_IDS],
])('client order ids for %s', (_, rule) => {
  const codec = new ClientOrderIdCodec(rule);

  it('maps every engine id to an id the exchange admits and back, or refuses it with the reason', () => {
    fc.assert(
      fc.property(engineId, (id) => {
        const mapped = codec.toExchange(id);
        if ('issue' in mapped) {
          expect(mapped.issue).toMatch(/too long to encode|not sent/);
          return;
        }
        expect(mapped.id).toMatch(admittedBy(rule));
        expect(codec.toEngine(mapped.id)).toBe(id);
      }),
      { numRuns: 2000 },
    );
  });

  it('never refuses an id the engine makes (a position order of a ten-character prefix included)', () => {
    fc.assert(
      fc.property(engineMadeId, (id) => {
        const mapped = codec.toExchange(id);
        expect('id' in mapped, id).toBe(true);
        expect(codec.toEngine((mapped as { id: string }).id)).toBe(id);
      }),
    );
  });

  it('gives two engine ids two exchange ids', () => {
    fc.assert(
      fc.property(engineId, engineId, (one, other) => {
        fc.pre(one !== other);
        const [a, b] = [codec.toExchange(one), codec.toExchange(other)];
        if ('id' in a && 'id' in b) expect(a.id).not.toBe(b.id);
      }),
      { numRuns: 2000 },
    );
  });

  it('sends an id the exchange already admits as it is', () => {
    expect(codec.toExchange('order42')).toEqual({ id: 'order42' });
    expect(codec.toEngine('order42')).toBe('order42');
  });
});

describe('client order id rules per exchange', () => {
  it("Bybit: an id with '.' or ':' is encoded, one with only letters, digits, '-' and '_' goes as it is", () => {
    const bybit = new ClientOrderIdCodec(BYBIT_CLIENT_ORDER_IDS);
    expect(bybit.toExchange('fs-abc-7')).toEqual({ id: 'fs-abc-7' });
    expect(bybit.toExchange('my_order-1')).toEqual({ id: 'my_order-1' });
    const encoded = bybit.toExchange('fs-abc-p1.sl1');
    expect(encoded).toEqual({ id: expect.stringMatching(/^Z[A-Za-z0-9_-]+$/) });
    expect(bybit.toEngine((encoded as { id: string }).id)).toBe('fs-abc-p1.sl1');
    expect(bybit.toExchange('a:b')).toEqual({ id: expect.not.stringContaining(':') });
  });

  it('Binance takes every engine id as it is and refuses, not rewrites, anything else', () => {
    const binance = new ClientOrderIdCodec(BINANCE_CLIENT_ORDER_IDS);
    expect(binance.toExchange('fs-abc-p1.sl1')).toEqual({ id: 'fs-abc-p1.sl1' });
    expect(binance.toExchange('x'.repeat(37))).toEqual({ issue: expect.stringContaining('not sent') });
  });
});
