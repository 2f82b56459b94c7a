/**
 * Anthropic's error types and the HTTP status each stands for, both ways: the adapter reads
 * upstream errors with it, and the `/v1/messages` entrance and the emulator write them.
 * @see https://docs.anthropic.com/en/api/errors
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** 503 has no type of its own: it is written as overload, which clients retry. */
const TYPE_BY_STATUS = new Map<number, string>([...Object.entries(STATUS_BY_TYPE).map(([type, status]) => [status, type] as const), [503, 'overloaded_error']]);

/** The status an error type stands for (an unknown type is a server error). */
export const anthropicStatusOf = (type: string): number => STATUS_BY_TYPE[type] ?? 500;

/** The error type for a status; statuses without one are `api_error` (5xx) or `invalid_request_error`. */
export const anthropicErrorType = (status: number): string => TYPE_BY_STATUS.get(status) ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
