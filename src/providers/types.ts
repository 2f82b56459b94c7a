/**
 * The provider contract: the neutral shapes every wire-format adapter translates to and from.
 * Nothing here knows about HTTP frameworks, routing or storage; the OpenAI wire format
 * the gateway speaks to its callers is produced only at the HTTP edge (src/http).
 */
import type { UpstreamError } from './errors.js';
import type { SseEvent } from './sse-decoder.js';

/** Every upstream the gateway can call. Adding one means adding a folder and a registry line. */
import type { ProviderId } from './definitions.js';

/** The providers are defined in definitions.ts; their ids are its keys. */
export type { ProviderId };

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** An image as the caller gave it: inline (a data URL's parts) or by http(s) address. */
export type ImageSource = { kind: 'data'; mediaType: string; data: string } | { kind: 'url'; url: string };

/**
 * A prompt-cache breakpoint as Anthropic marks one: the prefix up to and including the marked block
 * may be cached, for five minutes (the default) or an hour. Providers with no such marker cache long
 * prompts by themselves; their adapters drop it, saying so.
 */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export type ContentPart = { type: 'text'; text: string; cacheControl?: CacheControl } | { type: 'image'; image: ImageSource; detail?: 'auto' | 'low' | 'high'; cacheControl?: CacheControl };

/** A function call the model asked for. `arguments` is JSON text, as OpenAI carries it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  /** A cache breakpoint on the call, in a conversation sent back (Anthropic's tool_use block). */
  cacheControl?: CacheControl;
}

/**
 * A chat turn. `content` is always its text, so memory, the classifier and the cache read one
 * field; `parts` keeps the order when the turn holds more than text (a user turn with images).
 */
export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
  /** The whole content, in order, when it is more than one plain text (images, cache breakpoints); `content` is then its text alone. */
  parts?: ContentPart[];
  /** An assistant turn's function calls. */
  toolCalls?: ToolCall[];
  /** A tool turn: the id of the call it answers. */
  toolCallId?: string;
  /** A cache breakpoint on the turn's last block (a tool result, or a turn given as one string). */
  cacheControl?: CacheControl;
}

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
  /** A cache breakpoint after this tool (tools come first in the cached prefix). */
  cacheControl?: CacheControl;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };

/** Sampling and length knobs, in neutral names. Absent means "let the upstream decide". */
export interface ChatParams {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** False asks for at most one call per answer. */
  parallelToolCalls?: boolean;
  /** JSON output; absent means text. */
  responseFormat?: ResponseFormat;
  /** Anthropic's request-wide breakpoint: the provider marks the last cacheable block itself. */
  cacheControl?: CacheControl;
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

/**
 * Token counts in OpenAI's convention: `promptTokens` counts every input token, those the provider
 * read from its prompt cache or wrote to it included; the cache fields say how many of them were.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of `promptTokens`, those read from the provider's prompt cache (billed at its cache-read price). */
  cacheReadTokens?: number;
  /** Of `promptTokens`, those written to the prompt cache (Anthropic bills writes above the input price). */
  cacheWriteTokens?: number;
  /** Of `cacheWriteTokens`, those written for an hour rather than five minutes (a dearer write). */
  cacheWrite1hTokens?: number;
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
  /** Function calls the model asked for (finishReason is then `tool_calls`). */
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  usage?: Usage;
}

/** The neutral stream: adapters turn upstream events into these parts. */
export type StreamPart =
  | { type: 'text-delta'; text: string }
  /**
   * A piece of function call `index` (0-based in this answer): the first piece carries its id and
   * name, the following ones pieces of its JSON arguments, in order.
   */
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
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
  /** True when the upstream takes images only inline: the gateway fetches images given by URL first. */
  readonly inlineImageUrls?: boolean;
  /** The shape this provider's API keys have (checked before a user's key is verified upstream). */
  readonly keyPattern: RegExp;
  /** The cheapest authenticated request that proves a key works (it lists models; it costs no tokens). */
  buildKeyCheck(credentials: ProviderCredentials): UpstreamHttpRequest;
}
