import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellation, type CancelSignal } from '../../src/core/cancellation.js';
import { GatewayError } from '../../src/core/errors.js';
import { ImageFetchError, type ImageFetcher } from '../../src/gateway/image-fetcher.js';
import { inlineImageUrls, MAX_IMAGE_URLS } from '../../src/gateway/inline-images.js';
import type { ChatMessage } from '../../src/providers/types.js';

const withImages = (urls: string[]): ChatMessage[] => [
  { role: 'user', content: 'look', parts: [{ type: 'text', text: 'look' }, ...urls.map((url) => ({ type: 'image' as const, image: { kind: 'url' as const, url } }))] },
];

function fakeFetcher(behave: (url: string, signal: CancelSignal) => Promise<{ mediaType: string; data: string }>) {
  const calls: string[] = [];
  const signals: CancelSignal[] = [];
  const fetcher = {
    budget: () => ({ remaining: 1e9 }),
    fetch: (url: string, signal: CancelSignal) => {
      calls.push(url);
      signals.push(signal);
      return behave(url, signal);
    },
  } as unknown as ImageFetcher;
  return { fetcher, calls, signals };
}

describe('inlineImageUrls', () => {
  it('puts fetched images inline, in place', async () => {
    const { fetcher } = fakeFetcher(async (url) => ({ mediaType: 'image/png', data: Buffer.from(url).toString('base64') }));
    const out = await inlineImageUrls(withImages(['https://a.example/1.png']), fetcher, new Cancellation());
    assert.deepEqual(out[0]!.parts![1], { type: 'image', image: { kind: 'data', mediaType: 'image/png', data: Buffer.from('https://a.example/1.png').toString('base64') } });
  });

  it(`refuses more than ${MAX_IMAGE_URLS} URLs before fetching any`, async () => {
    const { fetcher, calls } = fakeFetcher(async () => {
      throw new ImageFetchError('unreachable');
    });
    const urls = Array.from({ length: MAX_IMAGE_URLS + 1 }, (_, i) => `https://a.example/${i}.png`);
    await assert.rejects(inlineImageUrls(withImages(urls), fetcher, new Cancellation()), (err: unknown) => err instanceof GatewayError && err.status === 400);
    assert.equal(calls.length, 0);
  });

  it('one failure is a 400 naming its part, and cancels the other fetches', async () => {
    const { fetcher, signals } = fakeFetcher((url, signal) =>
      url.endsWith('bad.png')
        ? Promise.reject(new ImageFetchError('the image URL answered HTTP 404'))
        : new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    await assert.rejects(inlineImageUrls(withImages(['https://a.example/slow.png', 'https://a.example/bad.png']), fetcher, new Cancellation()), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.param, 'messages[0].content[2].image_url.url');
      return true;
    });
    assert.ok(signals.every((s) => s.aborted));
  });
});
