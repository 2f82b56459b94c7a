/** Writes server-sent events to a raw Node response, respecting back-pressure. */
import type { ServerResponse } from 'node:http';

export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  start(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
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

  /** Writes one `data:` event; waits when the socket's buffer is full. */
  async data(payload: string): Promise<void> {
    if (this.closed) return;
    if (!this.res.write(`data: ${payload}\n\n`)) await this.drained();
  }

  /** Resolves when the socket can take more, or when it is gone. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}
