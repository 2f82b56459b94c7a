import { parseRetryAfter, truncate, tryParseJson, UpstreamError } from '../errors.js';
import { anthropicErrorSchema } from './wire-schemas.js';

/**
 * Anthropic error types → the HTTP status they stand for, used for errors that arrive as
 * stream events after a 200.
 * @see https://docs.anthropic.com/en/api/errors
 */
const STATUS_BY_TYPE: Record<string, number> = {
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

export function anthropicErrorFromEvent(error: { type: string; message: string }): UpstreamError {
  return new UpstreamError({
    provider: 'anthropic',
    kind: 'http',
    status: STATUS_BY_TYPE[error.type] ?? 500,
    upstreamCode: error.type,
    message: error.message,
  });
}

export function parseAnthropicError(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): UpstreamError {
  const parsed = anthropicErrorSchema.safeParse(tryParseJson(bodyText));
  const init: ConstructorParameters<typeof UpstreamError>[0] = {
    provider: 'anthropic',
    kind: 'http',
    status,
    message: parsed.success ? parsed.data.error.message : truncate(bodyText.trim()) || `HTTP ${status}`,
  };
  if (parsed.success) init.upstreamCode = parsed.data.error.type;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  return new UpstreamError(init);
}
