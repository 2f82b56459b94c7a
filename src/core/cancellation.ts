/**
 * A request's cancellation signal, shaped like AbortSignal as far as undici and our code use it
 * (`aborted`, `reason`, `addEventListener('abort')`, `removeEventListener`). A plain object, not an
 * AbortController: on Node 20 those make every young-generation GC far slower (BENCHMARKS.md).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | undefined;

  /** A child that is cancelled with its parent (or on its own); `unlink()` when done with it. */
  static linkedTo(parent: CancelSignal): { cancellation: Cancellation; unlink(): void } {
    const cancellation = new Cancellation();
    const forward = () => cancellation.abort(parent.reason);
    if (parent.aborted) forward();
    else parent.addEventListener('abort', forward);
    return { cancellation, unlink: () => parent.removeEventListener('abort', forward) };
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i !== -1) this.listeners!.splice(i, 1);
  }

  /** Cancels once; listeners run once (as with `{once: true}`). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}

/** Reasons, as DOMExceptions so their `name` says what happened (TimeoutError / AbortError). */
export const timeoutReason = (message: string) => new DOMException(message, 'TimeoutError');
export const abortReason = (message: string) => new DOMException(message, 'AbortError');
