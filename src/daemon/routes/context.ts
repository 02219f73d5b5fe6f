// What every route module gets: the engine, the event log, and the helper that parses a body or query.
import type { z } from 'zod';
import type { Engine } from '../../engine/engine.ts';
import { validationError } from '../errors.ts';
import type { EventLog } from '../stream.ts';

export interface RouteContext {
  readonly engine: Engine;
  readonly events: EventLog;
}

/** Parses `value` with `schema`, or throws a 400 invalid_request naming each path and reason. */
export function parse<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, what);
  return result.data;
}
