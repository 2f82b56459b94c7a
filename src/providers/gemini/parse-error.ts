import { parseRetryAfter, truncate, tryParseJson, UpstreamError } from '../errors.js';
import { geminiErrorSchema } from './wire-schemas.js';

/** google.rpc.RetryInfo's `retryDelay` ("30s", "1.5s") → milliseconds. */
function retryDelayMs(details: Array<Record<string, unknown>> | undefined): number | undefined {
  for (const d of details ?? []) {
    const delay = d['retryDelay'];
    if (typeof d['@type'] === 'string' && d['@type'].endsWith('google.rpc.RetryInfo') && typeof delay === 'string') {
      const seconds = Number.parseFloat(delay);
      if (Number.isFinite(seconds)) return Math.round(seconds * 1000);
    }
  }
  return undefined;
}

/**
 * Gemini errors (`{error:{code,message,status,details}}`) → UpstreamError; the retry delay comes
 * from RetryInfo when the header is absent.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function parseGeminiError(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): UpstreamError {
  const body = tryParseJson(bodyText);
  // Errors on the SSE endpoint may come as a one-element array.
  const parsed = geminiErrorSchema.safeParse(Array.isArray(body) ? body[0] : body);
  const err = parsed.success ? parsed.data.error : undefined;
  const init: ConstructorParameters<typeof UpstreamError>[0] = {
    provider: 'gemini',
    kind: 'http',
    status,
    message: err?.message ?? (truncate(bodyText.trim()) || `HTTP ${status}`),
  };
  if (err?.status !== undefined) init.upstreamCode = err.status;
  // Gemini reports a bad key (reason API_KEY_INVALID) and an unsupported region (FAILED_PRECONDITION)
  // as 400s: configuration faults another provider does not share.
  const reasons = (err?.details ?? []).map((d) => d['reason']);
  if (status === 400 && (reasons.includes('API_KEY_INVALID') || err?.status === 'FAILED_PRECONDITION')) init.providerFault = true;
  const retryAfterMs = parseRetryAfter(headers['retry-after']) ?? retryDelayMs(err?.details);
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  if (status === 429 && perDayQuota(err?.details)) init.dailyQuotaExhausted = true;
  return new UpstreamError(init);
}

/**
 * google.rpc.QuotaFailure naming a per-day quota (quotaId "GenerateRequestsPerDayPerProjectPerModel-FreeTier"):
 * the free tier's daily requests are spent until the quota resets.
 */
function perDayQuota(details: Array<Record<string, unknown>> | undefined): boolean {
  for (const d of details ?? []) {
    if (typeof d['@type'] !== 'string' || !d['@type'].endsWith('google.rpc.QuotaFailure')) continue;
    const violations = Array.isArray(d['violations']) ? (d['violations'] as Array<Record<string, unknown>>) : [];
    if (violations.some((v) => typeof v['quotaId'] === 'string' && v['quotaId'].includes('PerDay'))) return true;
  }
  return false;
}

export function geminiErrorFromBody(error: { code?: number | undefined; message?: string | undefined; status?: string | undefined }): UpstreamError {
  const init: ConstructorParameters<typeof UpstreamError>[0] = {
    provider: 'gemini',
    kind: 'http',
    status: error.code ?? 500,
    message: error.message ?? 'upstream reported an error',
  };
  if (error.status !== undefined) init.upstreamCode = error.status;
  return new UpstreamError(init);
}
