// Option values of the command line turned into what the commands need: config overrides, durations, times
// and JSON bodies, each refused with the option's name when it cannot be read.
import type { ConfigOverrides } from '../daemon/config.ts';
import { UsageError, type Values } from './command-line.ts';

export function overridesOf(values: Values): ConfigOverrides {
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got "${values.port}"`);
  }
  return { host: values.host, port, dataDir: values['data-dir'], demo: values['no-demo'] === true ? false : undefined, logLevel: values['log-level'] };
}

/** A duration on the command line: `90s`, `5m`, `1h`, `250ms` or a number of milliseconds. */
export function durationOption(name: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`--${name} is required (e.g. --${name} 5m)`);
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (match === null) throw new UsageError(`--${name} must be a duration such as 250ms, 90s, 5m or 1h, got "${text}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

/** A time given on the command line: ISO-8601 (UTC unless it says otherwise) or epoch milliseconds. */
export async function timeOption(name: string, text: string | undefined): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseTimestamp } = await import('../../adapters/market-data/csv.ts');
  const time = parseTimestamp(text);
  if (time === undefined) throw new UsageError(`--${name} must be an ISO-8601 time or epoch milliseconds, got "${text}"`);
  return time;
}

/** `--body '<json>'`: a whole request given as JSON. */
export function jsonBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--body is not valid JSON: ${(error as Error).message}`);
  }
}
