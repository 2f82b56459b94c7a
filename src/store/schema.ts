/** The database, as Kysely sees it. Timestamps are ISO-8601 UTC strings, which sort correctly as text. */
import type { Generated } from 'kysely';

export interface InteractionsTable {
  id: Generated<number>;
  /** The owner: a session id is only meaningful within its user (the operator is the user `operator`). */
  user_id: Generated<string>;
  session_id: string;
  role: string;
  content: string;
  /** The model that wrote an assistant turn; null for the caller's turns. */
  model_used: string | null;
  created_at: string;
}

export interface RequestLogsTable {
  /** The request id, also returned to the caller as the completion id. */
  id: string;
  created_at: string;
  /** Who made the request (`operator` for the operator token). */
  user_id: string;
  /** The gateway key it came with, if any. */
  gateway_key_id: string | null;
  session_id: string | null;
  endpoint: string;
  model_requested: string | null;
  model_used: string | null;
  provider: string | null;
  priority: string;
  stream: number;
  status: 'success' | 'error';
  http_status: number;
  error: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  latency_ms: number;
  cache_hit: number;
  /** JSON: the attempts list, as in the response's metadata. */
  attempts: string;
  /** The router's complexity class for the prompt; null when it was refused before routing. */
  complexity: Generated<string | null>;
  /** The route policy that planned it (cascade, scoring, …). */
  route: Generated<string | null>;
  /** JSON array of the warnings the caller was given; null for none. */
  warnings: Generated<string | null>;
  /** Of prompt_tokens, those the provider read from its prompt cache. */
  cache_read_tokens: Generated<number>;
  /** Of prompt_tokens, those the provider wrote to its prompt cache. */
  cache_write_tokens: Generated<number>;
  /** USD the prompt cache saved against the input price (negative when writing cost more). */
  cache_savings_usd: Generated<number>;
}

/** Small operator state: the generated operator token's hash, and the like. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

/** Accounts. The operator is the row `operator`, which has no password and is the admin. */
export interface UsersTable {
  id: string;
  /** Normalised: trimmed, lower case. Unique. */
  email: string;
  name: string | null;
  /** argon2id PHC string; null for the operator, who signs in with CEREBRO_API_TOKEN only. */
  password_hash: string | null;
  is_admin: number;
  created_at: string;
  /** Set while the operator has disabled the account: its tokens and keys are refused. */
  disabled_at: Generated<string | null>;
  /** Account tokens carry it; bumping it (a password change) revokes every token issued before. */
  token_version: Generated<number>;
  /** The operator's ceiling on this user's tokens per UTC day; null = USER_DAILY_TOKEN_LIMIT. */
  daily_token_limit: Generated<number | null>;
  /** The account's plan (the backend seed's field): `free` unless the operator sets another. */
  plan: Generated<string>;
}

/** Gateway keys (`gw_…`): only the SHA-256 is stored, the prefix is kept for display. */
export interface GatewayKeysTable {
  id: string;
  user_id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  /** Requests per minute. */
  rate_limit: number;
  /** Comma-separated: `chat` (/v1), `read` (the owner's own account, config, analytics), `admin` (the operator's only). */
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** US dollars the key may spend per `budget_period` (null: no budget). */
  max_budget_usd: Generated<number | null>;
  /** `daily`, `weekly`, `monthly`; null with a budget: a lifetime budget. */
  budget_period: Generated<string | null>;
}

/** A user's own provider keys, encrypted (AES-256-GCM, see security/secret-box.ts). */
export interface ProviderKeysTable {
  user_id: string;
  provider: string;
  ciphertext: string;
  last4: string;
  status: 'valid' | 'invalid';
  created_at: string;
  last_verified_at: string | null;
}

/** Per-user settings; a missing row means every default. */
export interface UserConfigTable {
  user_id: string;
  default_model: string | null;
  /** Tokens per UTC day; null = no limit. */
  daily_token_limit: number | null;
  /** Remembered messages per session_id; null = the operator's CEREBRO_MEMORY_MESSAGES. */
  memory_messages: number | null;
  route_policy: string;
  updated_at: string;
  /** US dollars the user may spend per `budget_period` (null: no budget of their own). */
  max_budget_usd: Generated<number | null>;
  budget_period: Generated<string | null>;
}

/** Tokens and requests per user per UTC day, kept as counters so limits never SUM() the logs. */
export interface DailyUsageTable {
  user_id: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  tokens: number;
  requests: number;
}

/** Totals per UTC hour and (provider, model), all users together: the operator's analytics. */
export interface UsageHourlyTable {
  /** 'YYYY-MM-DDTHH', UTC. */
  hour: string;
  /** '' when no provider was reached. */
  provider: string;
  model: string;
  requests: number;
  successes: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  latency_ms_sum: number;
  cache_hits: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_savings_usd: number;
}

/** Account tokens signed out before they expired (POST /api/auth/logout). */
export interface RevokedTokensTable {
  jti: string;
  user_id: string;
  expires_at: string;
}

/** Bytes each user stores in session memory, kept with every write: the storage quota reads this. */
export interface UserStorageTable {
  user_id: string;
  bytes: number;
}

/** Stored Responses (POST /v1/responses with `store`): what each added to its conversation, and returned. */
export interface ResponsesTable {
  /** `resp_…`, also the log row's id. */
  id: string;
  user_id: string;
  created_at: string;
  previous_response_id: string | null;
  /** JSON: the neutral turns this response added (its input, then its output). */
  turns: string;
  /** JSON: the input items, as GET /v1/responses/{id}/input_items lists them. */
  input_items: string;
  /** JSON: the Response object returned. */
  body: string;
  /** What the row takes, counted in user_storage by triggers. */
  bytes: number;
}

export interface Database {
  responses: ResponsesTable;
  revoked_tokens: RevokedTokensTable;
  user_storage: UserStorageTable;
  usage_hourly: UsageHourlyTable;
  interactions: InteractionsTable;
  request_logs: RequestLogsTable;
  settings: SettingsTable;
  users: UsersTable;
  gateway_keys: GatewayKeysTable;
  provider_keys: ProviderKeysTable;
  user_config: UserConfigTable;
  daily_usage: DailyUsageTable;
}
