import { parseRetryAfter, truncate, tryParseJson, UpstreamError } from '../errors.js';
import { anthropicStatusOf } from './error-types.js';
import { anthropicErrorSchema } from './wire-schemas.js';

/** An error that arrives as a stream event after a 200: the status its type stands for. */
export function anthropicErrorFromEvent(error: { type: string; message: string }): UpstreamError {
  return new UpstreamError({
    provider: 'anthropic',
    kind: 'http',
    status: anthropicStatusOf(error.type),
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
