/**
 * The one place any error becomes an HTTP answer in the OpenAI error shape
 * `{"error":{"message","type","param","code"}}`. Bad input is always a 4xx; a 500 means a bug.
 */
import { GatewayError } from '../core/errors.js';
import { UpstreamError } from '../providers/errors.js';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string | null; [detail: string]: unknown }; metadata?: { attempts: unknown[] } };
}

/** Fastify's own errors, by code, in words a caller can act on. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: (err: Error) => string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: (e) => `The request body is not valid JSON: ${e.message}` },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: () => 'The request body is empty; send a JSON object.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'request_too_large', message: () => 'The request body is larger than this route accepts (BODY_LIMIT_BYTES on /v1, API_BODY_LIMIT_BYTES on /api).' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: () => 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length', message: () => 'The Content-Length header does not match the body.' },
};

export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof GatewayError) {
    const body: ErrorResponse['body'] = { error: { ...err.details, message: err.message, type: err.type, param: err.param, code: err.code } };
    if (err.attempts) body.metadata = { attempts: err.attempts };
    return { status: err.status, headers: err.headers, body };
  }
  if (err instanceof UpstreamError) {
    // An upstream failing after the answer has started (mid-stream): a bad gateway, told as such.
    return {
      status: 502,
      headers: {},
      body: { error: { message: `${err.provider} failed mid-answer: ${err.label}: ${err.publicMessage}`, type: 'upstream_error', param: null, code: 'upstream_failed_mid_stream' } },
    };
  }
  const e = err as Error & { code?: string; statusCode?: number };
  // Postgres refusing a value it cannot store (a NUL character, bad encoding): the input's fault.
  if (e.code === '22021' || e.code === '22P05') {
    return {
      status: 400,
      headers: {},
      body: { error: { message: 'The request holds characters the database cannot store (a NUL character).', type: 'invalid_request_error', param: null, code: 'invalid_characters' } },
    };
  }
  const known = e.code ? FASTIFY_ERRORS[e.code] : undefined;
  if (known) {
    return { status: known.status, headers: {}, body: { error: { message: known.message(e), type: 'invalid_request_error', param: null, code: known.code } } };
  }
  if (e instanceof SyntaxError || (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)) {
    const status = e instanceof SyntaxError ? 400 : (e.statusCode as number);
    return { status, headers: {}, body: { error: { message: e.message, type: 'invalid_request_error', param: null, code: e.code ?? null } } };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { message: 'The gateway hit an internal error; it has been logged.', type: 'server_error', param: null, code: 'internal_error' } },
  };
}
