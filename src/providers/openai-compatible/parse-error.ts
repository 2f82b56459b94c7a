import { parseRetryAfter, truncate, tryParseJson, UpstreamError } from '../errors.js';
import type { ProviderId } from '../types.js';
import { openAIErrorBodySchema } from './wire-schemas.js';

/** An OpenAI/OpenRouter error response → UpstreamError, keeping the upstream's message and code. */
export function parseOpenAIError(provider: ProviderId, status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): UpstreamError {
  const parsed = openAIErrorBodySchema.safeParse(tryParseJson(bodyText));
  const err = parsed.success ? parsed.data.error : undefined;
  const message = err?.message ?? (truncate(bodyText.trim()) || `HTTP ${status}`);
  const code = err?.code ?? err?.type ?? undefined;
  const init: ConstructorParameters<typeof UpstreamError>[0] = { provider, kind: 'http', status, message };
  if (code !== undefined && code !== null) init.upstreamCode = String(code);
  // OpenRouter answers a retired or misspelt model id with a 400: the catalog's fault, not the request's.
  if (status === 400 && /not a valid model id|model .*(does not exist|not found)|no endpoints found/i.test(message)) init.providerFault = true;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  return new UpstreamError(init);
}

/**
 * An error object inside a 200 body or a stream chunk (OpenRouter reports provider failures
 * mid-stream this way, with a numeric code standing for an HTTP status).
 */
export function inBandOpenAIError(provider: ProviderId, error: { message?: string | undefined; code?: string | number | null | undefined }): UpstreamError {
  const numeric = typeof error.code === 'number' ? error.code : Number.NaN;
  const status = Number.isInteger(numeric) && numeric >= 400 && numeric < 600 ? numeric : 502;
  const init: ConstructorParameters<typeof UpstreamError>[0] = {
    provider,
    kind: 'http',
    status,
    message: error.message ?? 'upstream reported an error',
  };
  if (error.code !== undefined && error.code !== null) init.upstreamCode = String(error.code);
  return new UpstreamError(init);
}
