/**
 * One record per provider: everything about it the rest of the gateway derives from — its id, the
 * variables that configure it, its default base URL, its adapters, the model names it claims, and
 * its quota rules. Adding a provider is a folder for its adapter plus its id and its entry here.
 */
import { createAnthropicAdapter } from './anthropic/adapter.js';
import { createGeminiEmbeddingAdapter } from './embeddings/gemini.js';
import { createOpenAIEmbeddingAdapter } from './embeddings/openai.js';
import type { EmbeddingAdapter } from './embeddings/types.js';
import { createGeminiAdapter } from './gemini/adapter.js';
import { nextPacificMidnight } from './gemini/quota.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';
import type { ProviderAdapter } from './types.js';

/** What building the adapters reads from the configuration. */
export interface AdapterSettings {
  anthropicDefaultMaxTokens: number;
  openRouterAppUrl: string;
  openRouterAppTitle: string;
}

export interface ProviderDefinition {
  /** Its API key's and base URL's environment variables. */
  env: { apiKey: string; baseUrl: string };
  defaultBaseUrl: string;
  createAdapter(settings: AdapterSettings): ProviderAdapter;
  /** Its embeddings wire format, when it serves embeddings. */
  createEmbeddingAdapter?(): EmbeddingAdapter;
  /** Whether a model name outside the catalog is this provider's, by its shape. */
  claims(model: string): boolean;
  /** Models drawn from a shared free quota, which provider health counts (OpenRouter's free tier). */
  freeTierModel?(model: string): boolean;
  /** When a spent per-day quota comes back (Gemini's: midnight in Los Angeles); UTC midnight otherwise. */
  dailyQuotaResetsAt?(now: number): number;
  /** Whether it caches long prompts by itself (1,024 tokens and more), whether or not it reports a hit yet. */
  cachesLongPrompts?: boolean;
}

/**
 * The providers, in the order a bare model name is tried against them: OpenRouter ids are
 * `vendor/model[:variant]`, the direct APIs use bare family names. (The ids are listed apart from the
 * definitions because the adapters' own types name them.)
 */
export const PROVIDER_IDS = ['openrouter', 'gemini', 'anthropic', 'openai'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PROVIDER_DEFINITIONS: Record<ProviderId, ProviderDefinition> = {
  openrouter: {
    env: { apiKey: 'OPENROUTER_API_KEY', baseUrl: 'OPENROUTER_BASE_URL' },
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    createAdapter: (s) =>
      createOpenAICompatibleAdapter({
        id: 'openrouter',
        maxTokensField: 'max_tokens',
        developerRole: false,
        // OpenRouter passes Anthropic-style breakpoints on to the providers that cache so.
        cacheMarks: true,
        // App attribution headers OpenRouter reads for its rankings.
        extraHeaders: { 'HTTP-Referer': s.openRouterAppUrl, 'X-Title': s.openRouterAppTitle },
        // @see https://openrouter.ai/docs/api-reference/limits (GET /api/v1/key)
        keyPattern: /^sk-or-[A-Za-z0-9_-]{20,}$/,
        keyCheckPath: '/key',
      }),
    claims: (model) => model.includes('/'),
    freeTierModel: (model) => model.endsWith(':free') || model === 'openrouter/free',
  },
  gemini: {
    env: { apiKey: 'GEMINI_API_KEY', baseUrl: 'GEMINI_BASE_URL' },
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    createAdapter: () => createGeminiAdapter(),
    createEmbeddingAdapter: () => createGeminiEmbeddingAdapter(),
    claims: (model) => /^(gemini-|gemma-|models\/)/.test(model),
    dailyQuotaResetsAt: nextPacificMidnight,
    // Implicit caching, on Gemini 2.5 and later.
    cachesLongPrompts: true,
  },
  anthropic: {
    env: { apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' },
    defaultBaseUrl: 'https://api.anthropic.com',
    createAdapter: (s) => createAnthropicAdapter({ defaultMaxTokens: s.anthropicDefaultMaxTokens }),
    claims: (model) => /^claude-/.test(model),
  },
  openai: {
    env: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
    defaultBaseUrl: 'https://api.openai.com/v1',
    createAdapter: () =>
      createOpenAICompatibleAdapter({
        id: 'openai',
        maxTokensField: 'max_completion_tokens',
        developerRole: true,
        cacheMarks: false,
        // Project, service-account and legacy keys all start with sk-. @see https://platform.openai.com/docs/api-reference/models/list
        keyPattern: /^sk-[A-Za-z0-9_-]{20,}$/,
        keyCheckPath: '/models',
      }),
    createEmbeddingAdapter: () => createOpenAIEmbeddingAdapter('openai'),
    claims: (model) => /^(gpt-|o\d|chatgpt-|ft:gpt-)/.test(model),
    cachesLongPrompts: true,
  },
};
