import type { ChatMessage, ChatParams, ChatResult } from '../providers/types.js';
import type { Complexity } from '../routing/classifier.js';
import type { Attempt } from '../core/attempt.js';
import type { Priority } from '../routing/cascade.js';
import type { RoutePolicy } from '../routing/route-policy.js';
import type { Caller } from './caller.js';

/** A validated chat request, free of any HTTP framework type. */
export interface ChatInput {
  /** Our id for this request: the completion id and the log row id. */
  requestId: string;
  /** Whose request this is: its memory, logs and limits are that user's. */
  caller: Caller;
  /** Undefined or "auto" lets the gateway choose. */
  model: string | undefined;
  messages: ChatMessage[];
  params: ChatParams;
  stream: boolean;
  sessionId: string | undefined;
  priority: Priority;
  /** False when the caller asked to bypass the answer cache (`"cache": false`, `Cache-Control: no-cache`). */
  cache?: boolean;
  /** The routing policy asked for with this request (else the user's setting). */
  route?: RoutePolicy | undefined;
  /** The entrance it came through, for the logs; chat.completions when absent. */
  endpoint?: 'chat.completions' | 'messages' | 'responses';
  /** Things the edge already had to report (ignored parameters). */
  warnings: string[];
  /**
   * Stores the answer as the entrance keeps it (the Responses API's stored responses), before the
   * caller gets it, like session turns; returns the bytes written. A failure fails the request.
   */
  persist?: ((answer: PersistedAnswer) => Promise<number>) | undefined;
}

/** An answer as an entrance stores it. */
export interface PersistedAnswer {
  result: ChatResult;
  metadata: AnswerMetadata;
}

export interface AnswerMetadata {
  /** The model the gateway routed to (catalog or caller name). */
  model_used: string;
  provider: string;
  cost_usd: number;
  latency_ms: number;
  cache_hit: boolean;
  attempts: Attempt[];
  /** The classifier's verdict on the request. */
  complexity: Complexity;
  /** The policy that planned it (`cascade` also covers a concrete model with the cascade behind it). */
  route: RoutePolicy;
}
