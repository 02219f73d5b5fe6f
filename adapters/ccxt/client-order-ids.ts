// How an engine clientOrderId becomes the client order id an exchange accepts, and back. Pure and
// deterministic, so it survives a restart with nothing written down: an id the exchange's rule already
// admits is sent unchanged; any other is sent as a marker plus the id read as a number, written in the
// exchange's own alphabet. An id that cannot be written within the exchange's length is refused, never cut.

/** Every character an engine clientOrderId may hold (src/domain/order-request.ts), in a fixed order. */
const ENGINE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._:-';
const ENGINE_BASE = BigInt(ENGINE_ALPHABET.length);
const ENGINE_INDEX = new Map([...ENGINE_ALPHABET].map((character, index) => [character, BigInt(index)]));

export interface ClientOrderIdRule {
  /** The exchange, for the reasons given. */
  readonly exchange: string;
  /** The characters the exchange admits in a client order id, each once. */
  readonly alphabet: string;
  readonly maxLength: number;
  /** The exchange's rule in words, e.g. "1 to 32 letters and digits". */
  readonly description: string;
  /**
   * First character of an encoded id (one of `alphabet`). Ids the exchange admits but that begin with it are
   * encoded too, so an encoded id can never be mistaken for an id sent as it is. Absent: no encoding; ids
   * outside the rule are refused.
   */
  readonly marker?: string;
}

export type ExchangeIdResult = { readonly id: string } | { readonly issue: string };

/** OKX clOrdId: "alphanumerics, case-sensitive, up to 32". */
export const OKX_CLIENT_ORDER_IDS: ClientOrderIdRule = {
  exchange: 'OKX',
  alphabet: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  maxLength: 32,
  description: '1 to 32 letters and digits (clOrdId)',
  marker: 'Z',
};

/** Bybit orderLinkId: up to 36 of letters, digits, "-" and "_" (no "." or ":"). */
export const BYBIT_CLIENT_ORDER_IDS: ClientOrderIdRule = {
  exchange: 'Bybit',
  alphabet: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-',
  maxLength: 36,
  description: '1 to 36 letters, digits, "-" and "_" (orderLinkId)',
  marker: 'Z',
};

/** Binance newClientOrderId: 1 to 36 of letters, digits and ".:/_-": every engine id as it is. */
export const BINANCE_CLIENT_ORDER_IDS: ClientOrderIdRule = {
  exchange: 'Binance',
  alphabet: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._:/-',
  maxLength: 36,
  description: '1 to 36 of letters, digits and ".:/_-" (newClientOrderId)',
};

export class ClientOrderIdCodec {
  private readonly admitted: ReadonlySet<string>;
  private readonly base: bigint;

  constructor(readonly rule: ClientOrderIdRule) {
    this.admitted = new Set(rule.alphabet);
    this.base = BigInt(rule.alphabet.length);
    if (this.admitted.size !== rule.alphabet.length) throw new Error(`${rule.exchange}: the client order id alphabet repeats a character`);
    if (rule.marker !== undefined && (rule.marker.length !== 1 || !this.admitted.has(rule.marker))) throw new Error(`${rule.exchange}: the id marker must be one character of the alphabet`);
  }

  /** The id to send to the exchange for engine id `clientOrderId`, or why there is none. */
  toExchange(clientOrderId: string): ExchangeIdResult {
    if (this.admits(clientOrderId) && (this.rule.marker === undefined || !clientOrderId.startsWith(this.rule.marker))) return { id: clientOrderId };
    const refusal = `clientOrderId ${JSON.stringify(clientOrderId)} cannot be sent to ${this.rule.exchange}, which takes ${this.rule.description}`;
    if (this.rule.marker === undefined) return { issue: `${refusal}; not sent` };
    if (clientOrderId.length === 0 || [...clientOrderId].some((character) => !ENGINE_INDEX.has(character))) return { issue: `${refusal}: it is not an id of letters, digits and "._:-"; not sent` };
    const encoded = this.rule.marker + this.write(readEngineId(clientOrderId));
    if (encoded.length > this.rule.maxLength) return { issue: `${refusal}: it is too long to encode within ${this.rule.maxLength} characters; not sent` };
    return { id: encoded };
  }

  /** The engine id an exchange client order id stands for; an id this codec did not make is returned as it is. */
  toEngine(exchangeClientOrderId: string): string {
    const marker = this.rule.marker;
    if (marker === undefined || !exchangeClientOrderId.startsWith(marker)) return exchangeClientOrderId;
    const body = exchangeClientOrderId.slice(1);
    if (body.length === 0 || body[0] === this.rule.alphabet[0] || [...body].some((character) => !this.admitted.has(character))) return exchangeClientOrderId;
    const decoded = writeEngineId(this.read(body));
    // Only the canonical form is ours (an id from elsewhere that merely starts with the marker is not).
    const again = this.toExchange(decoded);
    return 'id' in again && again.id === exchangeClientOrderId ? decoded : exchangeClientOrderId;
  }

  private admits(id: string): boolean {
    return id.length >= 1 && id.length <= this.rule.maxLength && [...id].every((character) => this.admitted.has(character));
  }

  private write(value: bigint): string {
    let text = '';
    do {
      text = this.rule.alphabet[Number(value % this.base)]! + text;
      value /= this.base;
    } while (value > 0n);
    return text;
  }

  private read(text: string): bigint {
    let value = 0n;
    for (const character of text) value = value * this.base + BigInt(this.rule.alphabet.indexOf(character));
    return value;
  }
}

/** An engine id as a number in bijective base 66 (every id, of any length, its own number >= 1). */
function readEngineId(id: string): bigint {
  let value = 0n;
  for (const character of id) value = value * ENGINE_BASE + ENGINE_INDEX.get(character)! + 1n;
  return value;
}

function writeEngineId(value: bigint): string {
  let text = '';
  while (value > 0n) {
    const digit = (value - 1n) % ENGINE_BASE;
    text = ENGINE_ALPHABET[Number(digit)]! + text;
    value = (value - 1n) / ENGINE_BASE;
  }
  return text;
}
