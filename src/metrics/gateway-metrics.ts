/**
 * Prometheus metrics (prom-client), one registry per gateway: HTTP requests by route and status,
 * upstream calls by provider and model, tokens, cost, cache hits, circuit states and streams in
 * flight. Counted from the request-log rows (every request writes exactly one), so the metrics and
 * the logs never disagree; states are read at scrape time.
 */
import type { BudgetLedger } from '../accounts/budgets.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResponseCache } from '../cache/response-cache.js';
import type { HealthTracker } from '../routing/health.js';
import type { LoggedAttempt, RequestLogRow } from '../store/request-log-writer.js';

const CIRCUIT_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * A counter's totals per label set, kept in a Map under a key the caller joins from the label
 * values, and handed to prom-client when it is scraped. Counting a request this way is one Map
 * lookup; prom-client's own inc() hashes, validates and copies the labels object every time, and
 * the gateway counts six things per request.
 */
class Totals<L extends string> {
  private readonly series = new Map<string, { labels: Record<L, string>; value: number }>();

  /** `labels` is called only for a series not seen before. A value that is not a finite positive number counts as nothing. */
  add(key: string, labels: () => Record<L, string>, value = 1): void {
    if (!(value > 0 && Number.isFinite(value))) return;
    const found = this.series.get(key);
    // A total that would overflow stays at the largest finite number: prom-client refuses Infinity.
    if (found) found.value = Math.min(Number.MAX_VALUE, found.value + value);
    else this.series.set(key, { labels: labels(), value });
  }

  /** A prom-client counter that shows these totals. */
  counter(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }): Counter<L> {
    const series = this.series;
    return new Counter<L>({
      ...config,
      collect() {
        this.reset();
        // One bad series must never take the whole exposition down.
        for (const s of series.values()) {
          try {
            this.inc(s.labels, s.value);
          } catch {
            // skipped: add() only keeps finite positive totals, so this is defence in depth
          }
        }
      },
    });
  }
}
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface MetricsSources {
  health: HealthTracker;
  cache: ResponseCache | undefined;
  /** Streams being written right now. */
  streamsInFlight: () => number;
  /** Requests being answered right now (streams included). */
  requestsInFlight: () => number;
  /**
   * Whether a model name is the catalog's. Callers choose model names freely (any `vendor/model`
   * goes to OpenRouter): labelled as themselves they would grow the series without bound, so
   * every other name is labelled `other`.
   */
  isKnownModel: (model: string) => boolean;
  /** The request-log writer's counts: rows waiting, dropped past the bound, refused by the database. */
  requestLogs?: () => { pending: number; dropped: number; rejected: number };
  /** Calls answered per instance because Redis failed, when instances share state. */
  sharedStateFallbacks?: () => number;
  /** The US-dollar budgets in use, and where their spend is kept. */
  budgets?: BudgetLedger;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly httpRequests = new Totals<'method' | 'route' | 'status'>();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly answers = new Totals<'endpoint' | 'provider' | 'model' | 'status' | 'cache'>();
  private readonly upstreamCalls = new Totals<'provider' | 'model' | 'outcome' | 'status'>();
  private readonly upstreamDuration: Histogram<'provider' | 'model'>;
  private readonly tokens = new Totals<'provider' | 'model' | 'kind'>();
  private readonly cost = new Totals<'provider' | 'model'>();
  private readonly sharedCalls = new Totals<'op' | 'outcome'>();
  private readonly sharedDuration: Histogram<'op'>;

  private readonly label: (model: string | null | undefined) => string;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const label = (this.label = (model) => (model == null ? 'none' : sources.isKnownModel(model) ? model : 'other'));
    collectDefaultMetrics({ register: this.registry, prefix: 'cerebro_' });
    this.httpRequests.counter({ name: 'cerebro_http_requests_total', help: 'HTTP requests answered, by route and status.', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({
      name: 'cerebro_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (to the last byte for streams).',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.answers.counter({
      name: 'cerebro_answers_total',
      help: 'Model requests (chat, messages, embeddings) by where they were answered and how.',
      labelNames: ['endpoint', 'provider', 'model', 'status', 'cache'],
      registers,
    });
    this.upstreamCalls.counter({
      name: 'cerebro_upstream_requests_total',
      help: 'Calls to upstream providers, by outcome and HTTP status.',
      labelNames: ['provider', 'model', 'outcome', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'cerebro_upstream_duration_seconds',
      help: 'Upstream call latency (to the first content for streams).',
      labelNames: ['provider', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokens.counter({ name: 'cerebro_tokens_total', help: 'Tokens used, by provider, model and kind (prompt, completion).', labelNames: ['provider', 'model', 'kind'], registers });
    this.cost.counter({ name: 'cerebro_cost_usd_total', help: 'Upstream cost in US dollars, from the catalog prices.', labelNames: ['provider', 'model'], registers });
    this.sharedCalls.counter({ name: 'cerebro_shared_state_calls_total', help: 'Calls to the shared state (Redis), by operation and outcome (ok, error).', labelNames: ['op', 'outcome'], registers });
    this.sharedDuration = new Histogram({
      name: 'cerebro_shared_state_duration_seconds',
      help: 'Time of a call to the shared state (Redis), by operation.',
      labelNames: ['op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    if (sources.budgets) {
      const ledger = sources.budgets;
      new Gauge({
        name: 'cerebro_budget_spend_usd',
        help: "US dollars spent in the current period of each budget requests used lately, by kind (key, user, user-cap: the operator's ceiling) and id.",
        labelNames: ['kind', 'id'],
        registers,
        async collect() {
          this.reset();
          await Promise.all(
            ledger.tracked().map(async (b) => {
              const at = b.scope.indexOf(':');
              this.set({ kind: b.scope.slice(0, at), id: b.scope.slice(at + 1) }, await ledger.spent(b).catch(() => 0));
            }),
          );
        },
      });
    }
    if (sources.sharedStateFallbacks) {
      const fallbacks = sources.sharedStateFallbacks;
      new Counter({
        name: 'cerebro_shared_state_fallbacks_total',
        help: 'Requests whose limits were counted per instance (or refused) because Redis failed.',
        registers,
        collect() {
          this.reset();
          this.inc(fallbacks());
        },
      });
    }
    new Gauge({
      name: 'cerebro_circuit_state',
      help: 'Circuit breaker per provider and model: 0 closed, 1 half-open, 2 open.',
      labelNames: ['provider', 'model'],
      registers,
      collect() {
        this.reset();
        // Models outside the catalog share the label `other`, which shows the worst of their states.
        const worst = new Map<string, { provider: string; model: string; value: number }>();
        for (const t of sources.health.report()) {
          const model = label(t.model);
          const key = `${t.provider}\u0000${model}`;
          const value = CIRCUIT_VALUE[t.circuit];
          if ((worst.get(key)?.value ?? -1) < value) worst.set(key, { provider: t.provider, model, value });
        }
        for (const w of worst.values()) this.set({ provider: w.provider, model: w.model }, w.value);
      },
    });
    new Gauge({
      name: 'cerebro_cache_lookups',
      help: 'Answer cache lookups since start, by result (hit, miss).',
      labelNames: ['result'],
      registers,
      collect() {
        const stats = sources.cache?.stats();
        this.set({ result: 'hit' }, stats?.hits ?? 0);
        this.set({ result: 'miss' }, stats?.misses ?? 0);
      },
    });
    new Gauge({
      name: 'cerebro_streams_in_flight',
      help: 'Streamed answers being written now.',
      registers,
      collect() {
        this.set(sources.streamsInFlight());
      },
    });
    new Gauge({
      name: 'cerebro_requests_in_flight',
      help: 'Model requests being answered now.',
      registers,
      collect() {
        this.set(sources.requestsInFlight());
      },
    });
    if (sources.requestLogs) {
      const logs = sources.requestLogs;
      new Gauge({
        name: 'cerebro_request_logs_pending',
        help: 'Request-log rows waiting to be written (they pile up while the database is away, up to the bound).',
        registers,
        collect() {
          this.set(logs().pending);
        },
      });
      new Gauge({
        name: 'cerebro_request_logs_lost',
        help: 'Request-log rows not written since start: dropped past the in-memory bound while the database was away, or refused by the database.',
        labelNames: ['reason'],
        registers,
        collect() {
          this.set({ reason: 'bound' }, logs().dropped);
          this.set({ reason: 'refused' }, logs().rejected);
        },
      });
    }
  }

  /** One HTTP response (the access-log hook calls this). */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = () => ({ method, route, status: String(status) });
    this.httpRequests.add(`${method}\u0000${route}\u0000${status}`, labels);
    this.httpDuration.observe(labels(), seconds);
  }

  /** One request-log row: its answer, its upstream attempts, tokens and cost. */
  observeSharedState(op: string, seconds: number, ok: boolean): void {
    const outcome = ok ? 'ok' : 'error';
    this.sharedCalls.add(`${op}\u0000${outcome}`, () => ({ op, outcome }));
    this.sharedDuration.observe({ op }, seconds);
  }

  observeRow(row: RequestLogRow, given?: readonly LoggedAttempt[]): void {
    const provider = row.provider ?? 'none';
    const model = this.label(row.model_used);
    const count = (v: unknown) => {
      const n = Number(v);
      return Number.isFinite(n) && n > 0 ? n : 0;
    };
    const cache = row.cache_hit ? 'hit' : 'miss';
    const pm = `${provider}\u0000${model}`;
    this.answers.add(`${row.endpoint}\u0000${pm}\u0000${row.http_status}\u0000${cache}`, () => ({ endpoint: row.endpoint, provider, model, status: String(row.http_status), cache }));
    // Counters only go up: a negative figure from an upstream is counted as nothing.
    if (count(row.prompt_tokens) > 0) this.tokens.add(`${pm}\u0000p`, () => ({ provider, model, kind: 'prompt' }), count(row.prompt_tokens));
    if (count(row.completion_tokens) > 0) this.tokens.add(`${pm}\u0000c`, () => ({ provider, model, kind: 'completion' }), count(row.completion_tokens));
    if (count(row.cost_usd) > 0) this.cost.add(pm, () => ({ provider, model }), count(row.cost_usd));
    // The attempts as objects when the writer had them; parsed back from the row otherwise.
    const attempts = given ?? (typeof row.attempts === 'string' ? (JSON.parse(row.attempts) as LoggedAttempt[]) : []);
    for (const a of attempts) {
      if (a.status === 'skipped') continue;
      const attempted = this.label(a.model);
      const status = a.http_status ?? (a.status === 'ok' ? 200 : 0);
      this.upstreamCalls.add(`${a.provider}\u0000${attempted}\u0000${a.status}\u0000${status}`, () => ({ provider: a.provider, model: attempted, outcome: a.status, status: String(status) }));
      this.upstreamDuration.observe({ provider: a.provider, model: attempted }, Math.max(0, a.latency_ms) / 1000);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
