// The parts of ccxt the adapter uses, loaded one module each instead of through ccxt's entry point, which
// imports every one of its ~100 exchanges (seconds per daemon start). ccxt's package exports only its entry,
// so the modules are loaded by file location inside the installed package (the pinned version).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Ccxt = typeof import('ccxt');

/** ccxt's ES module sources: <package>/js/src (the CommonJS entry sits in <package>/dist). */
const SOURCES = path.join(path.dirname(createRequire(import.meta.url).resolve('ccxt')), '..', 'js', 'src');

async function load<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(SOURCES, file)).href)) as T;
}

const [binance, binanceusdm, okx, errors] = await Promise.all([
  load<{ default: Ccxt['pro']['binance'] }>('pro/binance.js'),
  load<{ default: Ccxt['pro']['binanceusdm'] }>('pro/binanceusdm.js'),
  load<{ default: Ccxt['pro']['okx'] }>('pro/okx.js'),
  load<Pick<Ccxt, 'AuthenticationError' | 'BadRequest' | 'BadSymbol' | 'DDoSProtection' | 'DuplicateOrderId' | 'InsufficientFunds' | 'InvalidNonce' | 'InvalidOrder' | 'NetworkError' | 'OrderNotFound' | 'PermissionDenied' | 'RateLimitExceeded'>>('base/errors.js'),
]);

/** The WebSocket-capable exchange classes (ccxt.pro) the profiles create. */
export const pro = { binance: binance.default, binanceusdm: binanceusdm.default, okx: okx.default };

/** ccxt's error classes, the same classes its exchanges throw. */
export const ccxtErrors = errors;
