/**
 * Changes one instance makes that the others must see at once (a key revoked, an account disabled,
 * deleted or changed, a target cooling down after a 429 or a spent quota), published on one Redis
 * channel. Each instance also refreshes what it caches
 * every few seconds, so a message lost while Redis was away is made up for by that refresh.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PROVIDER_IDS } from '../providers/definitions.js';
import type { SharedRedis } from './shared-redis.js';

const changeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key-revoked'), keyHash: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('key-changed'), keyHash: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('account'), userId: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('cooled'), provider: z.enum(PROVIDER_IDS), model: z.string().min(1).max(256), until: z.number().int().positive(), reason: z.string().max(200) }),
  z.object({ kind: z.literal('free-tier-spent'), until: z.number().int().positive() }),
]);

export type SharedChange = z.infer<typeof changeSchema>;

export class SharedChanges {
  private readonly channel: string;
  private subscriber: Redis | undefined;

  constructor(private readonly redis: SharedRedis) {
    this.channel = `${redis.prefix}changes`;
  }

  /** Hands every change published by any instance (this one's too) to `apply`; malformed messages are ignored. */
  listen(apply: (change: SharedChange) => void): void {
    const sub = (this.subscriber = this.redis.subscriber());
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let parsed;
      try {
        parsed = changeSchema.safeParse(JSON.parse(message));
      } catch {
        return;
      }
      if (parsed.success) apply(parsed.data);
    });
    // On every (re)connection: a subscription asked for while Redis was away would otherwise be lost.
    const subscribe = () => void sub.subscribe(this.channel).catch(() => undefined);
    sub.on('ready', subscribe);
    if (sub.status === 'ready') subscribe();
  }

  /** Tells the other instances; a failure is not the caller's (their periodic refresh catches up). */
  publish(change: SharedChange): void {
    void this.redis.call('publish', (c) => c.publish(this.channel, JSON.stringify(change))).catch(() => undefined);
  }

  close(): void {
    this.subscriber?.disconnect();
  }
}
