/** A cached answer replayed as a stream, so a stream request gets a hit the way it gets any answer. */
import type { StreamPart } from '../providers/types.js';
import type { PartBatches } from '../providers/upstream-call.js';
import type { CachedAnswer } from './response-cache.js';

/** A cached answer as a stream: the text in pieces of a few words, then finish and usage. */
export function replay(hit: CachedAnswer): { head: StreamPart[]; rest: PartBatches } {
  const pieces = hit.text.match(/\S+\s*|\s+/g) ?? [hit.text];
  const batches: StreamPart[][] = [];
  for (let i = 1; i < pieces.length; i += 8) batches.push([{ type: 'text-delta', text: pieces.slice(i, i + 8).join('') }]);
  const tail: StreamPart[] = [{ type: 'finish', finishReason: hit.finishReason }];
  if (hit.usage) tail.push({ type: 'usage', usage: hit.usage });
  batches.push(tail);
  async function* rest(): AsyncGenerator<StreamPart[]> {
    yield* batches;
  }
  return {
    head: [
      { type: 'model', model: hit.upstreamModel },
      { type: 'text-delta', text: pieces[0] ?? '' },
    ],
    rest: rest(),
  };
}
