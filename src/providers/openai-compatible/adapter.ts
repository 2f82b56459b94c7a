/**
 * The OpenAI Chat Completions wire format, shared by OpenAI and OpenRouter: the two differ only in
 * a few headers and options, given here as data.
 */
import type { ProviderAdapter } from '../types.js';
import { buildOpenAIChatBody, type OpenAIBodyOptions } from './build-request.js';
import { parseOpenAIError } from './parse-error.js';
import { parseOpenAIChatResponse } from './parse-response.js';
import { OpenAIStreamDecoder } from './stream-decoder.js';

export interface OpenAICompatibleOptions extends OpenAIBodyOptions {
  /** Headers this upstream wants besides auth (OpenRouter's app attribution). */
  extraHeaders?: Record<string, string>;
  keyPattern: RegExp;
  /**
   * The authenticated GET that proves a key, relative to the base URL: `/models` for OpenAI;
   * OpenRouter's model list is public, so there it is `/key` (the key's own limits and usage).
   */
  keyCheckPath: string;
}

export function createOpenAICompatibleAdapter(options: OpenAICompatibleOptions): ProviderAdapter {
  const { id } = options;
  return {
    id,
    buildRequest(call, credentials) {
      const warnings: string[] = [];
      const body = JSON.stringify(buildOpenAIChatBody(call, options, warnings));
      return {
        http: {
          url: `${credentials.baseUrl.replace(/\/+$/, '')}/chat/completions`,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${credentials.apiKey}`,
            ...(call.stream ? { accept: 'text/event-stream' } : {}),
            ...options.extraHeaders,
          },
          body,
        },
        warnings,
      };
    },
    parseResponse: (body, call) => parseOpenAIChatResponse(id, body, call),
    createStreamDecoder: () => new OpenAIStreamDecoder(id),
    parseError: (status, headers, bodyText) => parseOpenAIError(id, status, headers, bodyText),
    keyPattern: options.keyPattern,
    buildKeyCheck: (credentials) => ({
      method: 'GET',
      url: `${credentials.baseUrl.replace(/\/+$/, '')}${options.keyCheckPath}`,
      headers: { authorization: `Bearer ${credentials.apiKey}`, ...options.extraHeaders },
    }),
  };
}
