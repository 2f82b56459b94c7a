/**
 * The cheap authenticated GETs the gateway uses to verify a provider key before storing it:
 * OpenAI and Anthropic `GET /v1/models`, Gemini `GET /v1beta/models`, OpenRouter `GET /api/v1/key`
 * (its model list is public, so it would not prove the key).
 */
import type { EmulatedProvider } from '../script.js';

export function keyCheckRoute(method: string, path: string): EmulatedProvider | undefined {
  if (method !== 'GET') return undefined;
  if (path === '/openai/v1/models') return 'openai';
  if (path === '/openrouter/api/v1/key' || path === '/openrouter/api/v1/models') return 'openrouter';
  if (path === '/anthropic/v1/models') return 'anthropic';
  if (path === '/gemini/v1beta/models') return 'gemini';
  return undefined;
}

/** OpenRouter's model list, as `GET /api/v1/models` gives it (a few entries). */
export const EMULATED_OPENROUTER_MODELS = [
  {
    id: 'meta-llama/llama-3.3-70b-instruct:free',
    name: 'Llama 3.3 70B (free)',
    context_length: 131072,
    pricing: { prompt: '0', completion: '0' },
    top_provider: { context_length: 65536, max_completion_tokens: 4096, is_moderated: false },
    supported_parameters: ['tools', 'temperature'],
    architecture: { input_modalities: ['text'] },
  },
  {
    id: 'qwen/qwen3-coder:free',
    name: 'Qwen3 Coder (free)',
    context_length: 262144,
    pricing: { prompt: '0', completion: '0' },
    top_provider: { context_length: 262144, max_completion_tokens: 8192, is_moderated: false },
    supported_parameters: ['tools', 'response_format'],
    architecture: { input_modalities: ['text'] },
  },
  {
    id: 'anthropic/claude-sonnet-4.5',
    name: 'Claude Sonnet 4.5',
    context_length: 1000000,
    pricing: { prompt: '0.000003', completion: '0.000015' },
    top_provider: { context_length: 1000000, max_completion_tokens: 64000, is_moderated: true },
    supported_parameters: ['tools'],
    architecture: { input_modalities: ['text', 'image'] },
  },
];

export function keyCheckBody(provider: EmulatedProvider, path = ''): unknown {
  if (path.endsWith('/models') && provider === 'openrouter') return { data: EMULATED_OPENROUTER_MODELS };
  switch (provider) {
    case 'openai':
      return { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] };
    case 'openrouter':
      return { data: { label: 'sk-or-v1-emu…', limit: null, usage: 0, is_free_tier: true, rate_limit: { requests: 20, interval: '10s' } } };
    case 'anthropic':
      return {
        data: [{ type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' }],
        has_more: false,
        first_id: 'claude-sonnet-4-5',
        last_id: 'claude-sonnet-4-5',
      };
    case 'gemini':
      return { models: [{ name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', supportedGenerationMethods: ['generateContent'] }] };
  }
}
