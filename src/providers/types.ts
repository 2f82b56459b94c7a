/**
 * The provider contract: the neutral shapes every wire-format adapter translates to and from.
 * Nothing here knows about HTTP frameworks, routing or storage; the OpenAI wire format
 * the gateway speaks to its callers is produced only at the HTTP edge (src/http).
 */
import type { UpstreamError } from './errors.js';
import type { SseEvent } from './sse-decoder.js';

/** Every upstream the gateway can call. Adding one means adding a folder and a registry line. */
export type ProviderId = 'openrouter' | 'openai' | 'anthropic' | 'gemini';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant';

/** A chat turn. Content is text for now; tools and images extend this union later. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
}

/** Sampling and length knobs, in neutral names. Absent means "let the upstream decide". */
export interface ChatParams {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  /**
   * OpenAI-only parameters (seed, penalties, user, ...) that OpenAI-compatible upstreams
   * receive verbatim; other adapters report them as warnings instead of dropping them silently.
   */
  openaiExtras?: Record<string, unknown>;
}

/** One call to one upstream model. */
export interface ChatCall {
  model: string;
  messages: ChatMessage[];
  params: ChatParams;
  stream: boolean;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** The OpenAI finish reasons; adapters map their upstream's reasons onto these. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls';

/** A whole (non-streamed) answer. */
export interface ChatResult {
  /** The upstream's own response id, when it gives one. */
  upstreamId?: string;
  /** The model the upstream says answered (OpenRouter's routers name the model they picked). */
  model: string;
  text: string;
  finishReason: FinishReason;
  usage?: Usage;
}

/** The neutral stream: adapters turn upstream events into these parts. */
export type StreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'usage'; usage: Usage }
  | { type: 'model'; model: string };

/** Where and how to reach one provider. */
export interface ProviderCredentials {
  apiKey: string;
  baseUrl: string;
}

/** An HTTP request an adapter wants sent; the transport sends it. */
export interface UpstreamHttpRequest {
  /** POST unless said otherwise. */
  method?: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BuiltRequest {
  http: UpstreamHttpRequest & { body: string };
  /** Parameters the upstream cannot honour as asked (clamped, dropped): reported, never silent. */
  warnings: string[];
}

/** Turns the upstream's SSE events into neutral parts. Stateful: one per stream. */
export interface StreamDecoder {
  /** Parts for one event; throws UpstreamError for an in-band error event. */
  decode(event: SseEvent): StreamPart[];
  /** Whether the upstream signalled a clean end (so a cut connection can be told apart). */
  readonly finished: boolean;
}

/**
 * One wire format. Adapters are pure translators: they build requests and parse responses,
 * and never perform I/O themselves, so each mapping is unit-testable without a server.
 */
export interface ProviderAdapter {
  readonly id: ProviderId;
  buildRequest(call: ChatCall, credentials: ProviderCredentials): BuiltRequest;
  parseResponse(body: unknown, call: ChatCall): ChatResult;
  createStreamDecoder(call: ChatCall): StreamDecoder;
  parseError(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): UpstreamError;
  /** The shape this provider's API keys have (checked before a user's key is verified upstream). */
  readonly keyPattern: RegExp;
  /** The cheapest authenticated request that proves a key works (it lists models; it costs no tokens). */
  buildKeyCheck(credentials: ProviderCredentials): UpstreamHttpRequest;
}
