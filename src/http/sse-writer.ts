/** Writes server-sent events to a raw Node response, respecting back-pressure. */
import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '../core/cancellation.js';

/** A named event, its data as a value to send as JSON (Anthropic's and the Responses API's streams). */
export interface NamedEvent {
  event: string;
  data: unknown;
}

/** What an entrance writes at a point of a stream: a `data:` string (Chat Completions), events, or nothing. */
export type Frames = string | readonly (string | NamedEvent)[] | undefined;

export class SseWriter {
  /** `signal` ends the wait for a client that stopped reading: the response is destroyed. */
  constructor(
    private readonly res: ServerResponse,
    private readonly signal: CancelSignal,
  ) {}

  start(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // Reverse proxies (nginx, Render's) must not buffer a stream.
      'x-accel-buffering': 'no',
      ...headers,
    });
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** Frames written in this tick, not yet handed to the response. */
  private pending = '';
  private flushScheduled = false;
  private readonly flushAtTickEnd = () => {
    this.flushScheduled = false;
    this.flush();
  };

  /**
   * Writes one `data:` event. Returns a promise only when the socket's buffer is full: await it
   * then (the common case costs no promise and no extra tick per event). Events written in the same
   * tick (those decoded from one upstream read, and the closing ones) leave as one chunk of the
   * response: Node frames every `write()` of a chunked response on its own (size line, data, CRLF),
   * so each separate write would cost a framing of its own.
   */
  data(payload: string): Promise<void> | undefined {
    return this.write(`data: ${payload}\n\n`);
  }

  /** A named event (`event:` then `data:`), as Anthropic's stream has them; returns like data(). */
  event(name: string, payload: string): Promise<void> | undefined {
    return this.write(`event: ${name}\ndata: ${payload}\n\n`);
  }

  /**
   * Named events in order, their data as JSON; returns like data(). When the socket fills up on the
   * way, the rest follow once it drains (the promise covers them all).
   */
  events(list: ReadonlyArray<{ event: string; data: unknown }>, from = 0): Promise<void> | undefined {
    for (let i = from; i < list.length; i++) {
      const full = this.event(list[i]!.event, JSON.stringify(list[i]!.data));
      if (full) return full.then(() => this.events(list, i + 1));
    }
    return undefined;
  }

  /**
   * An entrance's frames in order: a string is a `data:` event, an object a named event with JSON
   * data; returns like data(), the rest following once a full socket drains.
   */
  frames(list: Frames, from = 0): Promise<void> | undefined {
    if (list === undefined) return undefined;
    if (typeof list === 'string') return this.data(list);
    for (let i = from; i < list.length; i++) {
      const frame = list[i]!;
      const full = typeof frame === 'string' ? this.data(frame) : this.event(frame.event, JSON.stringify(frame.data));
      if (full) return full.then(() => this.frames(list, i + 1));
    }
    return undefined;
  }

  private write(frame: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.pending += frame;
    // Past the socket's own high-water mark there is no point gathering more: it goes now, and
    // the caller waits if the socket is full. (The mark is in bytes, the length in UTF-16 units: text
    // outside ASCII may gather up to three times the mark first, which is still bounded.)
    if (this.pending.length >= this.res.writableHighWaterMark) return this.flush() ? undefined : this.drained();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushAtTickEnd);
    }
    return this.res.writableNeedDrain ? this.drained() : undefined;
  }

  /** Hands what was gathered to the response; false when the socket's buffer is full. */
  private flush(): boolean {
    const frames = this.pending;
    this.pending = '';
    if (frames === '' || this.closed) return true;
    return this.res.write(frames);
  }

  /** Resolves when the socket can take more, when it is gone, or when the request is cancelled. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.signal.removeEventListener('abort', cancel);
        resolve();
      };
      const cancel = () => {
        this.res.destroy();
        done();
      };
      if (this.signal.aborted) return cancel();
      this.res.on('drain', done);
      this.res.on('close', done);
      this.signal.addEventListener('abort', cancel);
    });
  }

  /** Ends the response, with whatever this tick gathered as its last chunk. */
  end(): void {
    const frames = this.pending;
    this.pending = '';
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end(frames);
  }
}
