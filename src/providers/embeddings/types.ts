/**
 * The embedding contract: one neutral request, and per wire format a pure translator to and from
 * the upstream's shape (OpenAI `/embeddings`, Gemini `batchEmbedContents`).
 */
import type { ProviderCredentials, ProviderId, UpstreamHttpRequest, Usage } from '../types.js';

export interface EmbeddingCall {
  model: string;
  /** Texts, or (OpenAI only) pre-tokenized inputs. */
  input: string[] | number[][];
  /** Requested vector size, for models that can shorten theirs. */
  dimensions?: number;
  /** OpenAI's end-user id, passed where supported. */
  user?: string;
}

export interface EmbeddingResult {
  vectors: number[][];
  /** Token usage, when the upstream reports it. */
  usage?: Usage;
  model: string;
}

export interface EmbeddingAdapter {
  readonly id: ProviderId;
  /** Whether token-array inputs are accepted (only OpenAI's API takes them). */
  readonly acceptsTokens: boolean;
  /** Inputs one upstream call takes at most. */
  readonly maxInputs: number;
  buildRequest(call: EmbeddingCall, credentials: ProviderCredentials): UpstreamHttpRequest & { body: string };
  parseResponse(body: unknown, call: EmbeddingCall): EmbeddingResult;
}
