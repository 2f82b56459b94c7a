/**
 * At most `max` pieces of work at once; the rest wait their turn in order, and past `maxQueued`
 * waiters a caller is refused at once (the `busy` error) rather than left waiting. A finishing
 * piece hands its slot straight to the next waiter, so a newcomer cannot slip in between.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly maxQueued = Number.POSITIVE_INFINITY,
    private readonly busy: () => Error = () => new Error('too much work at once'),
  ) {}

  /** Nothing running and nobody waiting. */
  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    else {
      if (this.waiting.length >= this.maxQueued) throw this.busy();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
