/**
 * Fetches an image a caller gave by http(s) URL, for upstreams that only take images inline
 * (Gemini). Behind an SSRF guard: the address every connection actually goes to is checked after
 * DNS resolution (so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused, and DNS
 * rebinding between a check and the connection cannot slip through), redirects are followed by
 * hand and each hop checked again, and the body is bounded in size and time.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { isPublicAddress } from '../security/address-policy.js';
import type { CancelSignal } from './cancellation.js';

export interface ImageFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** Which resolved addresses may be connected to; public unicast only by default. */
  isAllowedAddress?: (ip: string) => boolean;
  /** DNS resolution (tests point names at local servers). */
  lookup?: typeof dnsLookup;
}

export interface FetchedImage {
  mediaType: string;
  /** Base64. */
  data: string;
}

/** Why an image could not be fetched: the caller's URL is at fault, so it becomes a 400. */
export class ImageFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export class ImageFetcher {
  private readonly agent: Agent;
  private readonly allowed: (ip: string) => boolean;

  constructor(private readonly options: ImageFetcherOptions) {
    this.allowed = options.isAllowedAddress ?? isPublicAddress;
    const resolve = options.lookup ?? dnsLookup;
    const allowed = this.allowed;
    // Every connection resolves through here: the check is on the address actually dialled.
    const guardedLookup = (hostname: string, opts: { all?: boolean }, callback: LookupCallback) => {
      resolve(hostname, { all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, []);
        const refused = addresses.find((a) => !allowed(a.address));
        if (refused || addresses.length === 0) {
          return callback(Object.assign(new ImageFetchError(`the image host ${hostname} resolves to a non-public address`), { code: 'EADDRBLOCKED' }), []);
        }
        if (opts.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    this.agent = new Agent({ connect: { lookup: guardedLookup as never, timeout: options.timeoutMs }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  async fetch(url: string, signal?: CancelSignal): Promise<FetchedImage> {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new ImageFetchError('images may only be fetched over http or https');
      // An IP literal is connected to without a lookup: checked here instead.
      const host = current.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && !this.allowed(host)) throw new ImageFetchError(`the image address ${host} is not public`);
      let res;
      try {
        res = await request(current, { dispatcher: this.agent, method: 'GET', headers: { accept: 'image/*' }, signal: signal as never });
      } catch (err) {
        if (err instanceof ImageFetchError || (err as { cause?: unknown }).cause instanceof ImageFetchError) throw err instanceof ImageFetchError ? err : ((err as { cause: ImageFetchError }).cause);
        if ((err as { code?: string }).code === 'EADDRBLOCKED') throw new ImageFetchError((err as Error).message);
        throw new ImageFetchError(`the image could not be fetched: ${(err as Error).message}`);
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump();
        if (hop >= (this.options.maxRedirects ?? 3)) throw new ImageFetchError('the image URL redirects too many times');
        current = new URL(String(res.headers.location), current);
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new ImageFetchError(`the image URL answered HTTP ${res.statusCode}`);
      }
      const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!IMAGE_TYPES.has(mediaType)) {
        await res.body.dump();
        throw new ImageFetchError(`the image URL did not return a PNG, JPEG, GIF or WebP image (content-type '${mediaType || 'none'}')`);
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.options.maxBytes) {
        await res.body.dump();
        throw new ImageFetchError(`the image is larger than ${this.options.maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.options.maxBytes) {
          res.body.destroy();
          throw new ImageFetchError(`the image is larger than ${this.options.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      return { mediaType, data: Buffer.concat(chunks).toString('base64') };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
