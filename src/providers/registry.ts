/**
 * The only place that lists providers: which adapter speaks for each, how its credentials are
 * read from the configuration, and how a bare model name is recognised as its.
 */
import { createAnthropicAdapter } from './anthropic/adapter.js';
import { createGeminiAdapter } from './gemini/adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';
import type { ProviderAdapter, ProviderCredentials, ProviderId } from './types.js';

export const PROVIDER_IDS: readonly ProviderId[] = ['openrouter', 'gemini', 'anthropic', 'openai'];

export interface ProviderSettings {
  credentials: Partial<Record<ProviderId, ProviderCredentials>>;
  anthropicDefaultMaxTokens: number;
  openRouterAppUrl: string;
  openRouterAppTitle: string;
}

export function createAdapters(settings: Pick<ProviderSettings, 'anthropicDefaultMaxTokens' | 'openRouterAppUrl' | 'openRouterAppTitle'>): Record<ProviderId, ProviderAdapter> {
  return {
    openrouter: createOpenAICompatibleAdapter({
      id: 'openrouter',
      maxTokensField: 'max_tokens',
      developerRole: false,
      // App attribution headers OpenRouter reads for its rankings.
      extraHeaders: { 'HTTP-Referer': settings.openRouterAppUrl, 'X-Title': settings.openRouterAppTitle },
      // @see https://openrouter.ai/docs/api-reference/limits (GET /api/v1/key)
      keyPattern: /^sk-or-[A-Za-z0-9_-]{20,}$/,
      keyCheckPath: '/key',
    }),
    openai: createOpenAICompatibleAdapter({
      id: 'openai',
      maxTokensField: 'max_completion_tokens',
      developerRole: true,
      // Project, service-account and legacy keys all start with sk-. @see https://platform.openai.com/docs/api-reference/models/list
      keyPattern: /^sk-[A-Za-z0-9_-]{20,}$/,
      keyCheckPath: '/models',
    }),
    anthropic: createAnthropicAdapter({ defaultMaxTokens: settings.anthropicDefaultMaxTokens }),
    gemini: createGeminiAdapter(),
  };
}

/**
 * Which provider serves a model name that is not in the catalog, by its shape:
 * OpenRouter ids are `vendor/model[:variant]`; the direct APIs use bare family names.
 */
export function inferProvider(model: string): ProviderId | undefined {
  if (model.includes('/')) return 'openrouter';
  if (/^claude-/.test(model)) return 'anthropic';
  if (/^(gemini-|gemma-|models\/)/.test(model)) return 'gemini';
  if (/^(gpt-|o\d|chatgpt-|ft:gpt-)/.test(model)) return 'openai';
  return undefined;
}
