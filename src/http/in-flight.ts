/**
 * The chat requests in flight, each with the signal that cancels its upstream work: the caller
 * leaving, the request's deadline, or a shutdown that has waited long enough.
 */
import type { FastifyReply } from 'fastify';
import { abortReason, Cancellation, timeoutReason, type CancelSignal } from '../core/cancellation.js';

export class InFlightRequests {
  /** Each request's cancellation, the user it serves, and how to tell those waiting for its end. */
  private readonly controllers = new Map<Cancellation, { owner: string | undefined; ended: Promise<void>; end: () => void }>();

  /** Streams being written now. */
  streams = 0;

  get size(): number {
    return this.controllers.size;
  }

  /** Told of a stream whose client left before its end (Fastify reports no response for it). */
  onAbandonedStream: ((reply: FastifyReply) => void) | undefined;

  /** Counts a stream from its first byte until its response closes. */
  streamStarted(reply: FastifyReply): void {
    this.streams++;
    reply.raw.once('close', () => {
      this.streams--;
      if (!reply.raw.writableFinished) this.onAbandonedStream?.(reply);
    });
  }

  /** Starts tracking a request; `dispose()` must be called when it ends. */
  begin(deadlineMs: number, owner?: string): { signal: CancelSignal; controller: Cancellation; dispose(): void } {
    const controller = new Cancellation();
    const timer = setTimeout(() => controller.abort(timeoutReason('the request deadline passed')), deadlineMs);
    let end: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.controllers.set(controller, { owner, ended, end });
    return {
      signal: controller,
      controller,
      dispose: () => {
        clearTimeout(timer);
        this.controllers.delete(controller);
        end();
      },
    };
  }

  /**
   * Runs one request's work with its signal: cancelled by the deadline, a shutdown, or the caller
   * closing the connection before the response finished.
   */
  async run<T>(res: FastifyReply['raw'], deadlineMs: number, work: (signal: CancelSignal) => Promise<T>, owner?: string): Promise<T> {
    const flight = this.begin(deadlineMs, owner);
    const onClose = () => {
      if (!res.writableFinished) flight.controller.abort(abortReason('the client closed the request'));
    };
    res.on('close', onClose);
    try {
      return await work(flight.signal);
    } finally {
      res.off('close', onClose);
      flight.dispose();
    }
  }

  /** Cancels everything still running (shutdown after the grace period). */
  abortAll(): void {
    for (const c of this.controllers.keys()) c.abort(abortReason('the gateway is shutting down'));
  }

  /** Cancels one user's requests (their account is being deleted), and waits for them to end, at most `waitMs`. */
  async abortUser(userId: string, waitMs: number): Promise<void> {
    const ending: Array<Promise<void>> = [];
    for (const [c, flight] of this.controllers) {
      if (flight.owner !== userId) continue;
      c.abort(abortReason('the account was deleted'));
      ending.push(flight.ended);
    }
    if (ending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(ending), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
}
