/** The shapes of the gateway's answers the console reads (see /openapi.json). */
import type { Attempt } from './api';

export interface ConsoleSession {
  signed_in: boolean;
  allow_signup: boolean;
  is_operator?: boolean;
  csrf_token?: string;
  user?: { id: string; email: string | null; plan: string | null };
}

export interface Overview {
  total_requests: number;
  total_tokens: number;
  total_cost: number;
  avg_latency_ms: number;
  p95_latency_ms: number | null;
  cache_hit_rate: number;
  error_rate: number;
  /** The providers' prompt caches (not the answer cache): USD saved, and the share of prompt tokens read, in %. */
  prompt_cache_savings_usd: number;
  prompt_cache_read_rate: number;
  period: string;
}

export interface CostBreakdown {
  data: Array<{ date: string; cost: number; requests: number; tokens: number }>;
}

export interface ModelDistribution {
  models: Array<{ model: string | null; provider: string | null; requests: number; cost: number; percentage: number }>;
}

export interface LogSummary {
  id: string;
  created_at: string;
  user_id?: string;
  model: string | null;
  model_requested: string | null;
  provider: string | null;
  status: 'ok' | 'error' | 'cancelled';
  http_status: number;
  prompt_tokens: number;
  completion_tokens: number;
  prompt_cache_read_tokens: number;
  prompt_cache_write_tokens: number;
  prompt_cache_savings_usd: number;
  cost_usd: number;
  latency_ms: number;
  complexity: string | null;
  route: string | null;
  cache_hit: boolean;
  key_name: string | null;
  session_id: string | null;
  attempts_count: number;
  error: string | null;
}

export interface LogDetail extends LogSummary {
  attempts: Attempt[];
  warnings: string[];
  stream: boolean;
  priority: string;
  endpoint: string;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface GatewayKey {
  id: string;
  name: string;
  prefix: string;
  rate_limit: number;
  created_at: string;
  last_used_at: string | null;
  is_active: boolean;
  /** A US-dollar budget per period (null period: a lifetime budget), what it spent, and when it resets. */
  max_budget_usd: number | null;
  budget_period: 'daily' | 'weekly' | 'monthly' | null;
  spend_usd?: number;
  budget_resets_at?: string | null;
}

export interface ProviderKey {
  provider: string;
  last4: string;
  is_active: boolean;
  created_at: string;
}

export interface SessionSummary {
  session_id: string;
  messages: number;
  last_activity: string;
  preview: string;
}

export interface SessionMessages {
  messages: Array<{ id: number; role: string; content: string; model_used: string | null; created_at: string }>;
  has_more: boolean;
  next_cursor: string | null;
}

export interface UserConfig {
  default_model: string | null;
  daily_token_limit: number | null;
  effective_daily_token_limit: number | null;
  memory_messages: number | null;
  effective_memory_messages: number;
  default_memory_messages: number;
  route_policy: 'cascade' | 'score';
  tokens_used_today: number;
  max_budget_usd: number | null;
  budget_period: 'daily' | 'weekly' | 'monthly' | null;
  /** Every budget on the user (their own, the operator's ceiling), with what it spent and when it resets. */
  budgets: Array<{ kind: 'own' | 'operator'; max_budget_usd: number; budget_period: 'daily' | 'weekly' | 'monthly' | null; spend_usd: number | null; resets_at: string | null }>;
}

export interface TargetHealth {
  provider: string;
  model: string;
  circuit: string;
  available: boolean;
  reason: string | null;
  success_rate: number;
  samples: number;
  latency_ms: number | null;
  cooling_until: string | null;
  last_error: string | null;
}

export interface ProviderHealth {
  targets: TargetHealth[];
  openrouter_free_tier: { requests_this_minute: number; requests_today: number; per_minute_limit: number; per_day_limit: number; available: boolean };
}

export interface CacheStats {
  enabled: boolean;
  hits?: number;
  misses?: number;
  entries?: number;
  max_entries?: number;
}

export interface AdminUser {
  id: string;
  is_admin: boolean;
  email: string;
  plan: string;
  disabled: boolean;
  daily_token_limit: number | null;
  tokens_used_today: number;
  created_at: string;
}

export interface ModelEntry {
  id: string;
}
