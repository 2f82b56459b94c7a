/**
 * Images given by http(s) URL, fetched (through the SSRF guard) and put inline, for upstreams that
 * take only inline images. A URL that cannot be fetched is the caller's to fix: a 400 naming it.
 * The fetches of one request share a byte budget and stop together when one fails.
 */
import type { ChatMessage, ContentPart } from '../providers/types.js';
import { Cancellation, type CancelSignal } from '../core/cancellation.js';
import { GatewayError, invalidRequest } from '../core/errors.js';
import { ImageFetchBusyError, ImageFetchError, type ImageFetcher } from './image-fetcher.js';

/** More than this many images by URL in one request is refused (each is a fetch on the caller's behalf). */
export const MAX_IMAGE_URLS = 16;

export const hasImageUrls = (messages: readonly ChatMessage[]) => messages.some((m) => m.parts?.some((p) => p.type === 'image' && p.image.kind === 'url'));

export async function inlineImageUrls(messages: readonly ChatMessage[], fetcher: ImageFetcher, signal: CancelSignal, owner = ''): Promise<ChatMessage[]> {
  // Counted before any fetch starts: a refusal must not leave fetches running unwatched.
  const count = messages.reduce((n, m) => n + (m.parts?.filter((p) => p.type === 'image' && p.image.kind === 'url').length ?? 0), 0);
  if (count > MAX_IMAGE_URLS) throw invalidRequest(`At most ${MAX_IMAGE_URLS} images by URL are accepted in one request; send more as data URLs`, 'messages');
  // One request's fetches end together: when the caller goes, or when one of them fails.
  const { cancellation: group, unlink } = Cancellation.linkedTo(signal);
  const budget = fetcher.budget();
  // The failure that stopped the others is the one to report (theirs only say they were stopped).
  let first: unknown;
  const jobs: Array<Promise<void>> = [];
  const out = messages.map((m, i) => {
    if (!m.parts?.some((p) => p.type === 'image' && p.image.kind === 'url')) return m;
    const parts: ContentPart[] = [...m.parts];
    parts.forEach((part, j) => {
      if (part.type !== 'image' || part.image.kind !== 'url') return;
      const param = `messages[${i}].content[${j}].image_url.url`;
      jobs.push(
        fetcher.fetch(part.image.url, group, budget, owner).then(
          (image) => {
            parts[j] = { ...part, image: { kind: 'data', mediaType: image.mediaType, data: image.data } };
          },
          (err: unknown) => {
            const failure =
              err instanceof ImageFetchError
                ? invalidRequest(`Invalid value for '${param}': ${err.message}`, param, 'invalid_image_url')
                : err instanceof ImageFetchBusyError
                  ? new GatewayError({ status: 429, type: 'rate_limit_error', code: 'too_many_image_fetches', param, message: err.message, headers: { 'retry-after': '1' } })
                  : err;
            if (!group.aborted) first = failure;
            group.abort(failure);
            throw failure;
          },
        ),
      );
    });
    return { ...m, parts };
  });
  try {
    // allSettled, so no rejection is left unobserved; then the first failure is the answer.
    const settled = await Promise.allSettled(jobs);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw first ?? failed.reason;
    return out;
  } finally {
    unlink();
  }
}
