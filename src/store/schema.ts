/** The database, as Kysely sees it. Timestamps are ISO-8601 UTC strings, which sort correctly as text. */
import type { Generated } from 'kysely';

export interface InteractionsTable {
  id: Generated<number>;
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
}

/** Small operator state: the generated operator token's hash, and the like. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface Database {
  interactions: InteractionsTable;
  request_logs: RequestLogsTable;
  settings: SettingsTable;
}
