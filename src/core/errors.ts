/**
 * Errors the gateway raises on purpose, each with the HTTP status and OpenAI error type/code a
 * caller sees. The HTTP edge turns these (and everything else) into the OpenAI error body.
 */
import type { Attempt } from './attempt.js';

export interface GatewayErrorInit {
  status: number;
  type: string;
  code: string | null;
  message: string;
  param?: string | null;
  headers?: Record<string, string>;
  attempts?: Attempt[];
  /** Fields the error object carries besides OpenAI's four (a spent budget's amounts). */
  details?: Record<string, unknown>;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly attempts: Attempt[] | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.attempts = init.attempts;
    this.details = init.details;
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = 'invalid_value') =>
  new GatewayError({ status: 400, type: 'invalid_request_error', code, message, param });

export const modelNotFound = (model: string) =>
  new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    message: `The model '${model}' does not exist or is not served by this gateway. GET /v1/models lists the known models; OpenRouter ids (vendor/model) and claude-*, gemini-*, gpt-* names are routed to their providers.`,
  });

/** No model the request may go to can take what it carries (tools, images, a JSON format). */
export const noCapableModel = (message: string) => new GatewayError({ status: 400, type: 'invalid_request_error', code: 'model_not_capable', param: 'model', message });
