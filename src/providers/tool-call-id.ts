/**
 * Tool call ids that carry Gemini's thought signature. Gemini returns an opaque `thoughtSignature`
 * with each function call and wants it back with the call in the next turn (Gemini 3 refuses the
 * turn without it). OpenAI clients only keep the call's id, so the signature rides in the id, and
 * every other upstream is sent the id without it (the pairing of calls and results is unchanged).
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const MARK = '~ts~';

export function withSignature(id: string, signature: string | undefined): string {
  return signature ? `${id}${MARK}${signature}` : id;
}

/** The id without any signature: what non-Gemini upstreams see. */
export function plainToolCallId(id: string): string {
  const at = id.indexOf(MARK);
  return at === -1 ? id : id.slice(0, at);
}

export function signatureOf(id: string): string | undefined {
  const at = id.indexOf(MARK);
  return at === -1 ? undefined : id.slice(at + MARK.length) || undefined;
}
