/**
 * Images given by http(s) URL, fetched (through the SSRF guard) and put inline, for upstreams that
 * take only inline images. A URL that cannot be fetched is the caller's to fix: a 400 naming it.
 */
import type { ChatMessage, ContentPart } from '../providers/types.js';
import type { CancelSignal } from './cancellation.js';
import { invalidRequest } from './errors.js';
import { ImageFetchError, type ImageFetcher } from './image-fetcher.js';

/** More than this many images by URL in one request is refused (each is a fetch on the caller's behalf). */
export const MAX_IMAGE_URLS = 16;

export const hasImageUrls = (messages: readonly ChatMessage[]) => messages.some((m) => m.parts?.some((p) => p.type === 'image' && p.image.kind === 'url'));

export async function inlineImageUrls(messages: readonly ChatMessage[], fetcher: ImageFetcher, signal: CancelSignal): Promise<ChatMessage[]> {
  const jobs: Array<Promise<void>> = [];
  let count = 0;
  const out = messages.map((m, i) => {
    if (!m.parts?.some((p) => p.type === 'image' && p.image.kind === 'url')) return m;
    const parts: ContentPart[] = [...m.parts];
    parts.forEach((part, j) => {
      if (part.type !== 'image' || part.image.kind !== 'url') return;
      if (++count > MAX_IMAGE_URLS) throw invalidRequest(`At most ${MAX_IMAGE_URLS} images by URL are accepted in one request; send more as data URLs`, `messages[${i}].content`);
      const url = part.image.url;
      jobs.push(
        fetcher.fetch(url, signal).then(
          (image) => {
            parts[j] = { ...part, image: { kind: 'data', mediaType: image.mediaType, data: image.data } };
          },
          (err: unknown) => {
            if (!(err instanceof ImageFetchError)) throw err;
            throw invalidRequest(`Invalid value for 'messages[${i}].content[${j}].image_url.url': ${err.message}`, `messages[${i}].content[${j}].image_url.url`, 'invalid_image_url');
          },
        ),
      );
    });
    return { ...m, parts };
  });
  await Promise.all(jobs);
  return out;
}
