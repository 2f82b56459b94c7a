/**
 * Tool call ids that carry Gemini's thought signature. Gemini returns an opaque `thoughtSignature`
 * with each function call and wants it back with the call in the next turn (Gemini 3 refuses the
 * turn without it). OpenAI and Anthropic clients only keep the call's id, so the signature rides in
 * the id, in base64url so the id still fits Anthropic's `^[a-zA-Z0-9_-]+$`, and every other
 * upstream is sent the id without it (the pairing of calls and results is unchanged).
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const MARK = '__sig_';

export function withSignature(id: string, signature: string | undefined): string {
  if (!signature) return id;
  return `${id}${MARK}${signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** The id without any signature: what non-Gemini upstreams see. */
export function plainToolCallId(id: string): string {
  const at = id.indexOf(MARK);
  return at === -1 ? id : id.slice(0, at);
}

/** The signature as Gemini gave it (standard base64), if the id carries one. */
export function signatureOf(id: string): string | undefined {
  const at = id.indexOf(MARK);
  if (at === -1) return undefined;
  const url = id.slice(at + MARK.length);
  if (url === '') return undefined;
  const standard = url.replace(/-/g, '+').replace(/_/g, '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}
