// API errors: every refusal is `{ error: { code, message, details? } }` with a specific status, a stable
// machine-readable code from the one catalogue below and a sentence for people. Engine errors map here
// totally (a new engine error class fails the type check until it has a status); anything else is a 500 (a bug).
import { z } from 'zod';
import { DecimalParseError } from '../domain/decimal.ts';
import { OrderRequestError } from '../domain/order-request.ts';
import { AlgoParamsError } from '../domain/algo-params.ts';
import { OrderListError } from '../domain/order-list.ts';
import { AlgoStateError, UnknownAlgoError } from '../engine/algos/errors.ts';
import type { Denial } from '../risk/checks.ts';
import { EventsUnavailableError } from '../engine/persistence.ts';
import * as engineErrors from '../engine/errors.ts';

/** Every error code the daemon answers with, its HTTP status and what it means. */
export const API_ERROR_CODES = {
  // Requests the API cannot read.
  invalid_request: { status: 400, meaning: 'a field, query parameter or path parameter is missing or wrong' },
  invalid_order: { status: 400, meaning: 'an order, amendment or position request the instrument or engine refuses' },
  invalid_algo: { status: 400, meaning: 'an algorithm or its amendment that cannot be honoured whole (every reason is listed)' },
  invalid_order_list: { status: 400, meaning: 'an order list that cannot be honoured whole (every reason is listed)' },
  invalid_decimal: { status: 400, meaning: 'a decimal that cannot be read' },
  malformed_json: { status: 400, meaning: 'the body is not valid JSON' },
  invalid_content_length: { status: 400, meaning: 'the content-length header does not match the body' },
  invalid_url: { status: 400, meaning: 'the request URL cannot be decoded' },
  bad_request: { status: 400, meaning: 'the HTTP request itself is malformed' },
  unknown_symbol: { status: 400, meaning: 'no such instrument at the venue' },
  unknown_venue: { status: 400, meaning: 'no such venue' },
  unauthorized: { status: 401, meaning: 'no valid token' },
  not_found: { status: 404, meaning: 'no such route' },
  unknown_order: { status: 404, meaning: 'no such order' },
  unknown_position: { status: 404, meaning: 'no such position' },
  unknown_algo: { status: 404, meaning: 'no such algorithm or order list' },
  algo_state: { status: 409, meaning: 'the algorithm or order list cannot do that in its present state' },
  order_state: { status: 409, meaning: 'the order or position cannot do that in its present state' },
  idempotency_conflict: { status: 409, meaning: 'a clientOrderId already names a different order' },
  equity_unknown: { status: 409, meaning: 'equity is not known yet' },
  history_changed: { status: 409, meaning: "the inspector's finished-actor history was renumbered since the page connected" },
  not_attached: { status: 409, meaning: 'the inspector gathers this only while a page is connected' },
  events_unavailable: { status: 410, meaning: 'the events asked for are no longer held' },
  body_too_large: { status: 413, meaning: 'the body is larger than the server accepts' },
  uri_too_long: { status: 414, meaning: 'the request URL is longer than the server accepts' },
  request_timeout: { status: 408, meaning: 'the request was not received in time' },
  unsupported_media_type: { status: 415, meaning: 'the body is not application/json' },
  denied: { status: 422, meaning: 'a pre-trade risk check denied it' },
  signal_refused: { status: 422, meaning: 'the signal cannot become a position' },
  rate_limited: { status: 429, meaning: 'too many requests from this client' },
  headers_too_large: { status: 431, meaning: 'the request line and headers are larger than the server accepts' },
  internal: { status: 500, meaning: 'an unexpected error (a bug); it was logged' },
  engine_state: { status: 503, meaning: 'the engine is not running' },
  venue_unavailable: { status: 503, meaning: "the venue's link is not live: new orders are refused until it is" },
  shutting_down: { status: 503, meaning: 'the daemon is shutting down' },
} as const satisfies Record<string, { readonly status: number; readonly meaning: string }>;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;
export type ApiErrorStatus<Code extends ApiErrorCode> = (typeof API_ERROR_CODES)[Code]['status'];

type EngineErrorClass = Extract<(typeof engineErrors)[keyof typeof engineErrors], abstract new (...args: never[]) => Error & { readonly code: string }>;
/** The codes of the engine's errors (src/engine/errors.ts): each must be in the catalogue. */
export type EngineErrorCode = InstanceType<EngineErrorClass>['code'];
type UncataloguedEngineCode = Exclude<EngineErrorCode, ApiErrorCode>;
// Fails to compile (naming the code) when the engine gains an error code the catalogue lacks.
const everyEngineCodeCatalogued: [UncataloguedEngineCode] extends [never] ? true : UncataloguedEngineCode = true;
void everyEngineCodeCatalogued;

export interface ApiErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly details?: unknown;
  };
}

export class ApiError<Code extends ApiErrorCode = ApiErrorCode> extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: ApiErrorStatus<Code>,
    readonly code: Code,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

/** An ApiError whose status comes from the catalogue. */
export function apiError<Code extends ApiErrorCode>(code: Code, message: string, details?: unknown, headers?: Readonly<Record<string, string>>): ApiError<Code> {
  return new ApiError(API_ERROR_CODES[code].status as ApiErrorStatus<Code>, code, message, details, headers);
}

/** The one JSON shape of every error answer, also for answers written outside fastify (upgrades, client errors). */
export function errorBody(code: ApiErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** A risk denial: 422 with the typed reason, the limit and the measured figure. */
export function denialError(denial: Denial, subject: Record<string, unknown>): ApiError {
  return apiError('denied', `denied by risk check ${denial.reason}: ${denial.message}`, { ...subject, reason: denial.reason, limit: denial.limit, actual: denial.actual });
}

/** Zod issues as `path: reason` sentences and structured details. */
export function validationError(error: z.ZodError, what: string): ApiError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}` : issue.message,
  }));
  const sentence = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
  return apiError('invalid_request', `invalid ${what}: ${sentence}`, { issues });
}

const ENGINE_ERROR_CLASSES = Object.values(engineErrors).filter(
  (value): value is EngineErrorClass => typeof value === 'function' && value.prototype instanceof Error,
);
const NOT_DETAILS = new Set(['name', 'code', 'message', 'stack']);

/** Maps a thrown error to an ApiError, or undefined when it is not a known refusal (then it is a bug: 500). */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof OrderRequestError) return apiError(error.code, error.message, { issues: error.issues });
  if (error instanceof AlgoParamsError || error instanceof OrderListError) return apiError(error.code, error.message, { issues: error.issues });
  if (error instanceof UnknownAlgoError) return apiError(error.code, error.message, { id: error.algoId });
  if (error instanceof AlgoStateError) return apiError(error.code, error.message, { id: error.algoId, state: error.state });
  if (error instanceof DecimalParseError) return apiError('invalid_decimal', error.message);
  if (error instanceof EventsUnavailableError) return apiError('events_unavailable', error.message, { afterSequence: error.afterSequence, oldestAvailable: error.oldestAvailable });
  if (ENGINE_ERROR_CLASSES.some((errorClass) => error instanceof errorClass)) {
    const engineError = error as InstanceType<EngineErrorClass>;
    // What the error names (orderId, state, symbol, venue, ...) are its details.
    const details = Object.fromEntries(Object.entries(engineError).filter(([key]) => !NOT_DETAILS.has(key)));
    return apiError(engineError.code, engineError.message, Object.keys(details).length === 0 ? undefined : details);
  }
  return undefined;
}

/** Fastify's own refusals (body parsing, size, media type, URL decoding) as API errors. */
export function frameworkError(error: { code?: string; statusCode?: number; message: string }): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Also raised for "__proto__" / "constructor.prototype" keys (prototype poisoning), which fastify refuses.
      return apiError('malformed_json', 'the request body is not valid JSON (or holds a forbidden "__proto__" or "constructor" key)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiError('malformed_json', 'the request body is empty but its content-type is application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('body_too_large', 'the request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('unsupported_media_type', 'send the request body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return apiError('invalid_content_length', 'the content-length header does not match the body');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return apiError('uri_too_long', 'a path parameter (an order or position id) is longer than the 200 characters accepted');
    case 'FST_ERR_BAD_URL':
      return apiError('invalid_url', 'the request URL holds an invalid percent-encoded sequence');
    default:
      break;
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    // Any other parser refusal fastify raises as 4xx: a 400 with its reason.
    return apiError('bad_request', `the request cannot be read: ${error.message}`);
  }
  return undefined;
}
