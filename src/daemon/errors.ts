// API errors: every refusal is `{ error: { code, message, details? } }` with a specific 4xx status, a stable
// machine-readable code and a sentence for people. Engine errors map here; anything unmapped is a 500 (a bug).
import { z } from 'zod';
import { DecimalParseError } from '../domain/decimal.ts';
import { OrderRequestError } from '../domain/order-request.ts';
import type { Denial } from '../risk/checks.ts';
import { EventsUnavailableError } from '../engine/persistence.ts';
import { EngineStateError, OrderStateError, UnknownInstrumentError, UnknownOrderError, UnknownPositionError, UnknownVenueError } from '../engine/errors.ts';

export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: unknown;
  };
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** A risk denial: 422 with the typed reason, the limit and the measured figure. */
export function denialError(denial: Denial, subject: Record<string, unknown>): ApiError {
  return new ApiError(422, 'denied', `denied by risk check ${denial.reason}: ${denial.message}`, { ...subject, reason: denial.reason, limit: denial.limit, actual: denial.actual });
}

/** Zod issues as `path: reason` sentences and structured details. */
export function validationError(error: z.ZodError, what: string): ApiError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}` : issue.message,
  }));
  const sentence = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
  return new ApiError(400, 'invalid_request', `invalid ${what}: ${sentence}`, { issues });
}

/** Maps a thrown error to an ApiError, or undefined when it is not a known refusal (then it is a bug: 500). */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof OrderRequestError) return new ApiError(400, error.code, error.message, { issues: error.issues });
  if (error instanceof DecimalParseError) return new ApiError(400, 'invalid_decimal', error.message);
  if (error instanceof UnknownOrderError) return new ApiError(404, error.code, error.message, { orderId: error.orderId });
  if (error instanceof UnknownPositionError) return new ApiError(404, error.code, error.message, { positionId: error.positionId });
  if (error instanceof OrderStateError) return new ApiError(409, error.code, error.message, { id: error.orderId, state: error.state });
  if (error instanceof UnknownInstrumentError) return new ApiError(400, error.code, error.message, { symbol: error.symbol, venue: error.venue });
  if (error instanceof UnknownVenueError) return new ApiError(400, error.code, error.message, { venue: error.venue });
  if (error instanceof EngineStateError) return new ApiError(503, error.code, error.message);
  if (error instanceof EventsUnavailableError) return new ApiError(410, 'events_unavailable', error.message, { afterSequence: error.afterSequence, oldestAvailable: error.oldestAvailable });
  return undefined;
}

/** Fastify's own refusals (body parsing, size, media type, routing) as API errors. */
export function frameworkError(error: { code?: string; statusCode?: number; message: string }): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Also raised for "__proto__" / "constructor.prototype" keys (prototype poisoning), which fastify refuses.
      return new ApiError(400, 'malformed_json', 'the request body is not valid JSON (or holds a forbidden "__proto__" or "constructor" key)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'malformed_json', 'the request body is empty but its content-type is application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', 'the request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send the request body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_content_length', 'the content-length header does not match the body');
    default:
      break;
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    // Prototype poisoning and other parser refusals fastify raises as 4xx.
    return new ApiError(error.statusCode, 'bad_request', error.message);
  }
  return undefined;
}
