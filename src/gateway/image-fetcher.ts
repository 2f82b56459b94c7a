/**
 * Fetches an image a caller gave by http(s) URL, for upstreams that only take images inline
 * (Gemini). Behind an SSRF guard: the address every connection actually goes to is checked after
 * DNS resolution (so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused, and DNS
 * rebinding between a check and the connection cannot slip through), redirects are followed by
 * hand and each hop checked again, and only the usual web ports are dialled. Every failure reads
 * the same to the caller, so the gateway is no oracle for which hosts and ports answer. Bounded:
 * bytes per image and per request, total time per image, fetches at once across the process and
 * per user (so one user's images cannot hold everyone else's up).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from '../providers/undici-agent.js';
import { ConcurrencyLimit } from '../concurrency-limit.js';
import { isPublicAddress } from '../security/address-policy.js';
import { Cancellation, timeoutReason, type CancelSignal } from '../core/cancellation.js';

/** undici's whole index, loaded with the first image fetched (most gateways never fetch one). */
let undici: Promise<{ request: typeof import('undici').request }> | undefined;
const loadUndici = () => (undici ??= import('undici'));

export interface ImageFetcherOptions {
  /** Per image. */
  maxBytes: number;
  /** Per request, all its images together (Gemini refuses inline requests much above 20 MB). */
  maxBytesPerRequest?: number;
  /** Total time per image, redirects included. */
  timeoutMs: number;
  maxRedirects?: number;
  /** Fetches in flight at once across all requests; more wait their turn. */
  maxConcurrent?: number;
  /** Fetches in flight at once for one user, and how many more of theirs may wait (past that: refused). */
  maxConcurrentPerUser?: number;
  maxQueuedPerUser?: number;
  /** The ports an image URL may name (80 and 443 by default). */
  ports?: readonly number[];
  /** Which resolved addresses may be connected to; public unicast only by default. */
  isAllowedAddress?: (ip: string) => boolean;
  /** Told what made a fetch fail (the caller only hears that it did), for the server's log. */
  onFailure?: (detail: string) => void;
  /** DNS resolution (tests point names at local servers). */
  lookup?: typeof dnsLookup;
}

export interface FetchedImage {
  mediaType: string;
  /** Base64. */
  data: string;
}

/** Bytes one request's images may still take. */
export interface ByteBudget {
  remaining: number;
}

/**
 * Why an image could not be fetched: the caller's URL is at fault, so it becomes a 400. Its message
 * is the same whatever failed; `detail` says what did, for the server's own diagnosis.
 */
export class ImageFetchError extends Error {
  constructor(readonly detail: string) {
    super(IMAGE_FETCH_FAILED);
    this.name = 'ImageFetchError';
  }
}

/** One user has more image fetches waiting than their share: theirs to slow down, not their URL's fault. */
export class ImageFetchBusyError extends Error {
  constructor() {
    super('too many images are being fetched for you at once; send fewer at a time or as data URLs');
    this.name = 'ImageFetchBusyError';
  }
}

export const IMAGE_FETCH_FAILED =
  'the image could not be fetched: it must be a public http(s) URL on an allowed port (80 or 443 unless the operator set others) answering with a PNG, JPEG, GIF or WebP image within the size and time limits';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const DEFAULT_REQUEST_BYTES = 15 * 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export class ImageFetcher {
  private readonly agent: Agent;
  private readonly allowed: (ip: string) => boolean;
  private readonly slots: ConcurrencyLimit;
  private readonly perUser = new Map<string, ConcurrencyLimit>();
  private readonly ports: ReadonlySet<number>;

  constructor(private readonly options: ImageFetcherOptions) {
    this.allowed = options.isAllowedAddress ?? isPublicAddress;
    this.slots = new ConcurrencyLimit(options.maxConcurrent ?? 32);
    this.ports = new Set(options.ports ?? [80, 443]);
    const resolve = options.lookup ?? dnsLookup;
    const allowed = this.allowed;
    // Every connection resolves through here: the check is on the address actually dialled.
    const guardedLookup = (hostname: string, opts: { all?: boolean }, callback: LookupCallback) => {
      resolve(hostname, { all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, []);
        if (addresses.length === 0 || addresses.some((a) => !allowed(a.address))) {
          return callback(new ImageFetchError(`the image host ${hostname} resolves to a non-public address`), []);
        }
        if (opts.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    this.agent = new Agent({ connect: { lookup: guardedLookup as never, timeout: options.timeoutMs }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  /** A fresh per-request byte budget. */
  budget(): ByteBudget {
    return { remaining: this.options.maxBytesPerRequest ?? DEFAULT_REQUEST_BYTES };
  }

  /** Fetches an image for `owner` (a user id): their share of the fetch slots first, then the process's. */
  async fetch(url: string, signal?: CancelSignal, budget: ByteBudget = this.budget(), owner = ''): Promise<FetchedImage> {
    let share = this.perUser.get(owner);
    if (!share) {
      share = new ConcurrencyLimit(this.options.maxConcurrentPerUser ?? 4, this.options.maxQueuedPerUser ?? 32, () => new ImageFetchBusyError());
      this.perUser.set(owner, share);
    }
    try {
      return await share.run(() => this.slots.run(() => this.fetchBounded(url, signal, budget)));
    } finally {
      if (share.idle) this.perUser.delete(owner);
    }
  }

  private async fetchBounded(url: string, signal: CancelSignal | undefined, budget: ByteBudget): Promise<FetchedImage> {
    // One deadline for the whole fetch, redirects included: idle timers alone let a trickle run on.
    const { cancellation, unlink } = signal ? Cancellation.linkedTo(signal) : { cancellation: new Cancellation(), unlink: () => undefined };
    const timer = setTimeout(() => cancellation.abort(timeoutReason(`the image took longer than ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    try {
      return await this.fetchHops(url, cancellation, budget);
    } catch (err) {
      const failure = this.asFetchError(err, signal, cancellation);
      if (failure instanceof ImageFetchError) this.options.onFailure?.(failure.detail);
      throw failure;
    } finally {
      clearTimeout(timer);
      unlink();
    }
  }

  /** Any failure as an ImageFetchError, but the caller's own cancellation, which travels on as it is. */
  private asFetchError(err: unknown, signal: CancelSignal | undefined, cancellation: CancelSignal): unknown {
    if (err instanceof ImageFetchError) return err;
    if (signal?.aborted) return signal.reason;
    if (cancellation.aborted) return new ImageFetchError(`the image took longer than ${this.options.timeoutMs} ms`);
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ImageFetchError) return cause;
    return new ImageFetchError(`the fetch failed: ${(err as Error).message}`);
  }

  private async fetchHops(url: string, signal: CancelSignal, budget: ByteBudget): Promise<FetchedImage> {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new ImageFetchError('images may only be fetched over http or https');
      const port = current.port === '' ? (current.protocol === 'https:' ? 443 : 80) : Number(current.port);
      if (!this.ports.has(port)) throw new ImageFetchError(`port ${port} is not one images may be fetched from`);
      // An IP literal is connected to without a lookup: checked here instead.
      const host = current.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !this.allowed(host)) throw new ImageFetchError(`the image address ${host} is not public`);
      const { request } = await loadUndici();
      const res = await request(current, { dispatcher: this.agent, method: 'GET', headers: { accept: 'image/*' }, signal: signal as never });
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump();
        if (hop >= (this.options.maxRedirects ?? 3)) throw new ImageFetchError('the image URL redirects too many times');
        if (!URL.canParse(String(res.headers.location), current.href)) throw new ImageFetchError('the image URL redirects to an invalid URL');
        current = new URL(String(res.headers.location), current);
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new ImageFetchError(`the image URL answered HTTP ${res.statusCode}`);
      }
      const mediaType = String(res.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (!IMAGE_TYPES.has(mediaType)) {
        await res.body.dump();
        throw new ImageFetchError(`the image URL did not return a PNG, JPEG, GIF or WebP image (content-type '${mediaType || 'none'}')`);
      }
      const limit = Math.min(this.options.maxBytes, budget.remaining);
      const tooLarge = () =>
        new ImageFetchError(
          limit < this.options.maxBytes
            ? `the request's images are larger than ${this.options.maxBytesPerRequest ?? DEFAULT_REQUEST_BYTES} bytes together`
            : `the image is larger than ${this.options.maxBytes} bytes`,
        );
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        res.body.destroy();
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          res.body.destroy();
          throw tooLarge();
        }
        chunks.push(chunk as Buffer);
      }
      budget.remaining -= size;
      return { mediaType, data: Buffer.concat(chunks).toString('base64') };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
