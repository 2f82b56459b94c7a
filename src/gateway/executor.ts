/**
 * Walks a plan's targets in order: providers without credentials are skipped, retryable failures
 * move on to the next target, and a failure caused by the request itself is returned at once.
 * Streams may fall back until their first content arrives; after that they are committed.
 */
import type { Transport } from '../providers/http-transport.js';
import type { UpstreamError } from '../providers/errors.js';
import { openStream, sendForJson, toUpstreamError, type PartBatches } from '../providers/upstream-call.js';
import type { ChatCall, ChatMessage, ChatResult, ProviderAdapter, ProviderCredentials, ProviderId, StreamPart } from '../providers/types.js';
import type { Target } from '../routing/cascade.js';
import type { AttemptObserver } from '../routing/attempt-observer.js';
import { isTransient, pauseBeforePass, type RetryPolicy } from './retry-policy.js';
export { isTransient } from './retry-policy.js';
import { describeAttempts, failedAttempt, type Attempt } from './attempts.js';
import { Cancellation, timeoutReason, type CancelSignal } from '../core/cancellation.js';
import { GatewayError } from '../core/errors.js';
import type { ImageFetcher } from './image-fetcher.js';
import { hasImageUrls, inlineImageUrls } from './inline-images.js';

export interface ExecutorDeps {
  adapters: Record<ProviderId, ProviderAdapter>;
  credentials: Partial<Record<ProviderId, ProviderCredentials>>;
  transport: Transport;
  now: () => number;
  /**
   * `firstByteMs` bounds each stream attempt until its first content (keep-alive comments do not
   * count); `responseMs` bounds a non-streamed attempt, whose headers arrive only once the whole
   * answer is generated. Either failing moves on to the next target.
   */
  timeouts: { firstByteMs: number; responseMs: number };
  /** Told of every call and its outcome (provider health); optional for tests of the walk alone. */
  observer?: AttemptObserver;
  /**
   * Extra passes over the targets that failed transiently, each after a pause of
   * baseDelayMs × 2^pass × (0.5–1.5); absent = no retries.
   */
  retries?: RetryPolicy;
  /** Fetches images given by URL for adapters that take only inline images; absent = sent as URLs. */
  images?: ImageFetcher;
}

type Credentials = Partial<Record<ProviderId, ProviderCredentials>>;

/** A target's call, built and ready to send. */
interface Prepared {
  credentials: ProviderCredentials;
  adapter: ProviderAdapter;
  call: ChatCall;
  built: ReturnType<ProviderAdapter['buildRequest']>;
}

/** Across the passes of one request: the last failure, and the targets worth another try. */
interface PassState {
  last: UpstreamError | undefined;
  transient: Target[];
  /** The model the caller named does not exist upstream: the request ends there, with a 404. */
  namedMissing?: UpstreamError;
}

/** An upstream 404 for the model the caller named (a typo, a retired id): theirs to fix, not a reason to fall back. */
const namedModelMissing = (err: UpstreamError, attempts: Attempt[]) =>
  new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    message: `The model '${attempts[attempts.length - 1]?.model}' was not found by ${err.provider}. GET /v1/models lists the known models.`,
    attempts,
  });

/** A call without its model: the executor fills the model in per target. */
export type CallTemplate = Omit<ChatCall, 'model'> & {
  /** Whose request it is: fetches of images by URL are shared out fairly between users. */
  owner?: string;
  /** The target of the model the caller named, if they named one: its upstream's 404 ends the request. */
  named?: Target | undefined;
  /** The `max_tokens` each target is sent, when the gateway sets it (a daily limit's reservation). */
  outputLimit?: ((target: Target) => number) | undefined;
};

export interface CompletionSuccess {
  target: Target;
  result: ChatResult;
  attempts: Attempt[];
  warnings: string[];
}

export type { PartBatches } from '../providers/upstream-call.js';

export interface StreamSuccess {
  target: Target;
  attempts: Attempt[];
  warnings: string[];
  /** Everything up to and including the first content part. */
  head: StreamPart[];
  /**
   * The rest of the stream, in batches (the parts of one upstream read travel together: one
   * hop per packet, not per token); throws UpstreamError if the upstream fails part-way.
   */
  rest: PartBatches;
  /**
   * Tells provider health how the stream ended (the relay calls it): a stream counts as a success
   * only once it finished, so a provider that drops streams after the first token is seen as failing.
   */
  settle?: { ok(): void; failed(err: UpstreamError): void };
}

/** Raised when no target produced an answer. */
export function allTargetsFailed(attempts: Attempt[], last: UpstreamError | undefined): GatewayError {
  if (last?.isRequestFault) {
    return new GatewayError({
      status: last.status ?? 400,
      type: 'invalid_request_error',
      code: 'upstream_rejected_request',
      message: `${last.provider} rejected the request: ${last.publicMessage}`,
      attempts,
    });
  }
  const tried = attempts.some((a) => a.status !== 'skipped');
  if (!tried) {
    return new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'no_provider_available',
      message: `No provider is configured for this request. Set an API key for one of: ${[...new Set(attempts.map((a) => a.provider))].join(', ')}. Attempts: ${describeAttempts(attempts)}`,
      attempts,
    });
  }
  // Overload everywhere (429/529) is "try later"; anything else is a bad gateway.
  const overloaded = attempts.every((a) => a.status === 'skipped' || a.http_status === 429 || a.http_status === 529);
  return new GatewayError({
    status: overloaded ? 503 : 502,
    type: 'upstream_error',
    code: overloaded ? 'all_upstreams_overloaded' : 'all_upstreams_failed',
    message: `Every upstream attempt failed. Attempts: ${describeAttempts(attempts)}`,
    attempts,
  });
}

export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  /**
   * Health is shared by every caller, so only calls made with the gateway's own credentials feed it:
   * a user's exhausted or revoked key must not mark the provider down for everyone.
   */
  private observerFor(target: Target, credentials: ProviderCredentials): AttemptObserver | undefined {
    return credentials === this.deps.credentials[target.provider] ? this.deps.observer : undefined;
  }

  private readonly inlined = new WeakMap<CallTemplate, Promise<ChatMessage[]>>();

  /** The request's messages as this adapter can take them: images by URL fetched once per request, when it needs them inline. */
  private messagesFor(adapter: ProviderAdapter, template: CallTemplate, signal: CancelSignal): ChatMessage[] | Promise<ChatMessage[]> {
    const fetcher = this.deps.images;
    if (!adapter.inlineImageUrls || fetcher === undefined || !hasImageUrls(template.messages)) return template.messages;
    let pending = this.inlined.get(template);
    if (!pending) this.inlined.set(template, (pending = inlineImageUrls(template.messages, fetcher, signal, template.owner)));
    return pending;
  }

  /** Whether a provider has credentials at all. */
  isConfigured(provider: ProviderId): boolean {
    return this.deps.credentials[provider] !== undefined;
  }

  /**
   * `credentials`: the caller's own set (their keys); the executor's defaults otherwise. Targets
   * that failed transiently (5xx, timeouts, dropped connections) get up to `retries.passes` more
   * tries after a jittered, growing pause, within the request's one deadline.
   */
  async complete(targets: readonly Target[], template: CallTemplate, signal: CancelSignal, credentialSet = this.deps.credentials): Promise<CompletionSuccess> {
    return this.walk(targets, signal, (remaining, attempts, state) =>
      this.pass(remaining, template, signal, credentialSet, attempts, state, (target, prepared, observer, started) => this.completeAt(target, prepared, observer, started, attempts, signal)),
    );
  }

  /** Pass after pass over the targets (the later passes over those that failed transiently), until one answers. */
  private async walk<T>(targets: readonly Target[], signal: CancelSignal, pass: (remaining: readonly Target[], attempts: Attempt[], state: PassState) => Promise<T | undefined>): Promise<T> {
    const attempts: Attempt[] = [];
    const state: PassState = { last: undefined, transient: [] };
    for (let n = 0, remaining = targets; ; n++) {
      const success = await pass(remaining, attempts, state);
      if (success) return success;
      if (state.namedMissing) throw namedModelMissing(state.namedMissing, attempts);
      if (!(await this.nextPass(n, state, signal))) break;
      remaining = state.transient;
    }
    throw signal.aborted ? abortedError(signal, attempts) : allTargetsFailed(attempts, state.last);
  }

  /**
   * One target's call, ready to send; undefined (and a `skipped` attempt) when there is no key for it.
   * Images by URL are inlined only for adapters that need it, so the usual path awaits nothing.
   */
  private prepare(target: Target, template: CallTemplate, credentialSet: Credentials, attempts: Attempt[], signal: CancelSignal): Prepared | undefined | Promise<Prepared> {
    const credentials = credentialSet[target.provider];
    if (!credentials) {
      attempts.push(skipped(target));
      return undefined;
    }
    const adapter = this.deps.adapters[target.provider];
    const ready = (messages: ChatMessage[]): Prepared => {
      const params = template.outputLimit ? { ...template.params, maxTokens: template.outputLimit(target) } : template.params;
      const call: ChatCall = { messages, params, stream: template.stream, model: target.model };
      return { credentials, adapter, call, built: adapter.buildRequest(call, credentials) };
    };
    const messages = this.messagesFor(adapter, template, signal);
    return Array.isArray(messages) ? ready(messages) : messages.then(ready);
  }

  /**
   * One pass over the targets: each prepared and tried in turn, until one answers or a failure stops
   * the walk. `attempt` makes the call; what failing means is the same for both kinds of answer.
   */
  private async pass<T>(
    targets: readonly Target[],
    template: CallTemplate,
    signal: CancelSignal,
    credentialSet: Credentials,
    attempts: Attempt[],
    state: PassState,
    attempt: (target: Target, prepared: Prepared, observer: AttemptObserver | undefined, started: number) => Promise<{ ok: T } | { failed: UpstreamError }>,
  ): Promise<T | undefined> {
    state.transient = [];
    for (const target of targets) {
      let prepared = this.prepare(target, template, credentialSet, attempts, signal);
      if (prepared instanceof Promise) prepared = await prepared;
      if (!prepared) continue;
      const started = this.deps.now();
      const observer = this.observerFor(target, prepared.credentials);
      observer?.beforeCall(target.provider, target.model);
      const outcome = await attempt(target, prepared, observer, started);
      if ('ok' in outcome) return outcome.ok;
      if (this.failed(outcome.failed, target, template, signal, observer, attempts, state, started) === 'stop') return undefined;
    }
    return undefined;
  }

  /** A complete answer from one target: its JSON, parsed. */
  private async completeAt(target: Target, { adapter, call, built }: Prepared, observer: AttemptObserver | undefined, started: number, attempts: Attempt[], signal: CancelSignal) {
    try {
      const { responseMs } = this.deps.timeouts;
      const { json, headers } = await sendForJson(this.deps.transport, built.http, adapter, target.provider, { signal, headersTimeoutMs: responseMs, bodyTimeoutMs: responseMs });
      const result = adapter.parseResponse(json, call);
      const latency = this.deps.now() - started;
      attempts.push({ provider: target.provider, model: target.model, status: 'ok', latency_ms: latency });
      observer?.recordSuccess(target.provider, target.model, latency, headers);
      return { ok: { target, result, attempts, warnings: built.warnings } satisfies CompletionSuccess };
    } catch (err) {
      return { failed: toUpstreamError(err, target.provider, signal) };
    }
  }

  /**
   * A target failed: recorded (its attempt, and its health unless the caller left), and whether the
   * walk stops here (the caller left, the failure is the caller's, the named model does not exist) or
   * goes on, the target kept for a retry pass when the failure may heal.
   */
  private failed(
    last: UpstreamError,
    target: Target,
    template: CallTemplate,
    signal: CancelSignal,
    observer: AttemptObserver | undefined,
    attempts: Attempt[],
    state: PassState,
    started: number,
  ): 'stop' | 'next' {
    state.last = last;
    // A caller who left says nothing about the upstream's health.
    if (!signal.aborted) observer?.recordFailure(target.provider, target.model, last);
    attempts.push(failedAttempt(target, last, this.deps.now() - started));
    if (target === template.named && last.modelNotFound) state.namedMissing = last;
    if (signal.aborted || !last.allowsFallback || state.namedMissing) return 'stop';
    if (isTransient(last)) state.transient.push(target);
    return 'next';
  }

  /** Whether another pass should run, after its pause; false when there is nothing worth retrying. */
  private async nextPass(pass: number, state: PassState, signal: CancelSignal): Promise<boolean> {
    const retries = this.deps.retries;
    if (!retries || signal.aborted || state.transient.length === 0 || (state.last && !state.last.allowsFallback)) return false;
    if (!(await pauseBeforePass(retries, pass, signal))) return false;
    // Targets whose circuit opened (or that started cooling) meanwhile are not worth the call.
    const observer = this.deps.observer;
    if (observer?.available) state.transient = state.transient.filter((t) => observer.available!(t.provider, t.model));
    return !signal.aborted && state.transient.length > 0;
  }

  async stream(targets: readonly Target[], template: CallTemplate, signal: CancelSignal, credentialSet = this.deps.credentials): Promise<StreamSuccess> {
    return this.walk(targets, signal, (remaining, attempts, state) =>
      this.pass(remaining, template, signal, credentialSet, attempts, state, (target, prepared, observer, started) => this.streamAt(target, prepared, observer, started, attempts, signal)),
    );
  }

  /** A stream from one target, once its first content arrived (until then a failure may still fall back). */
  private async streamAt(target: Target, { adapter, call, built }: Prepared, observer: AttemptObserver | undefined, started: number, attempts: Attempt[], signal: CancelSignal) {
    const attempt = attemptController(signal, this.deps.timeouts.firstByteMs);
    let parts: PartBatches | undefined;
    try {
      // The decoder first: nothing may fail between the response's head and the reading of its body.
      const decoder = adapter.createStreamDecoder(call);
      const opened = await openStream(this.deps.transport, built.http, adapter, decoder, target.provider, attempt.signal);
      parts = opened.parts;
      const head: StreamPart[] = [];
      // Until content arrives nothing has reached the caller, so a failure here may still fall back.
      for (;;) {
        const next = await parts.next();
        if (next.done) break;
        head.push(...next.value);
        if (next.value.some((p) => p.type === 'text-delta' || p.type === 'tool-call-delta' || p.type === 'finish')) break;
      }
      attempt.committed();
      const latency = this.deps.now() - started;
      attempts.push({ provider: target.provider, model: target.model, status: 'ok', latency_ms: latency });
      const success: StreamSuccess = { target, attempts, warnings: built.warnings, head, rest: parts };
      if (observer) {
        success.settle = {
          // Latency: the time to the first content, which is what a streaming caller waits for.
          ok: () => observer.recordSuccess(target.provider, target.model, latency, opened.headers),
          failed: (e) => observer.recordFailure(target.provider, target.model, e),
        };
      }
      return { ok: success };
    } catch (err) {
      await parts?.return().catch(() => undefined);
      attempt.dispose();
      return { failed: toUpstreamError(err, target.provider, attempt.signal) };
    }
  }
}

/**
 * One stream attempt's signal: aborted when the request's is, or when no content arrived within
 * `firstContentMs`, which fails only this attempt and lets the next target run.
 */
function attemptController(parent: CancelSignal, firstContentMs: number) {
  const { cancellation, unlink } = Cancellation.linkedTo(parent);
  const timer = setTimeout(() => cancellation.abort(timeoutReason(`no content within ${firstContentMs} ms`)), firstContentMs);
  return {
    signal: cancellation as CancelSignal,
    /** Content arrived: the first-content deadline no longer applies; the request's still does. */
    committed: () => clearTimeout(timer),
    dispose() {
      clearTimeout(timer);
      unlink();
    },
  };
}

function skipped(target: Target): Attempt {
  return { provider: target.provider, model: target.model, status: 'skipped', error: 'no API key configured', latency_ms: 0 };
}

/** The request's own signal fired: the caller left (499) or the deadline passed (504). */
export function abortedError(signal: CancelSignal, attempts: Attempt[]): GatewayError {
  const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
  return new GatewayError({
    status: timedOut ? 504 : 499,
    type: timedOut ? 'timeout' : 'cancelled',
    code: timedOut ? 'deadline_exceeded' : 'client_closed_request',
    message: timedOut ? `The request deadline passed. Attempts: ${describeAttempts(attempts)}` : 'The client closed the request.',
    attempts,
  });
}
