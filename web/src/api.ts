/**
 * Calls to the gateway from the console: same origin, the session cookie sent by the browser, the
 * session's CSRF token in a header (the cookie alone authorises nothing), errors as ApiError.
 */
let csrfToken: string | undefined;
let onSessionEnded: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server says the session is over, so the page shows the sign-in form. */
export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { ...(csrfToken ? { 'x-cerebro-csrf': csrfToken } : {}), ...extra };
}

async function errorOf(res: Response): Promise<ApiError> {
  let code: string | null = null;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // Not JSON: the status line says enough.
  }
  if (res.status === 401 && code !== 'invalid_credentials') onSessionEnded?.();
  return new ApiError(res.status, code, message);
}

/**
 * After a sign-in in another tab, the cookie belongs to a new session while this page still holds
 * the old one's CSRF token: read the current session's token. False when no session is open.
 */
async function refreshCsrfToken(): Promise<boolean> {
  const res = await fetch('/api/console/session', { credentials: 'same-origin' });
  const session = res.ok ? ((await res.json()) as { signed_in: boolean; csrf_token?: string }) : undefined;
  csrfToken = session?.signed_in ? session.csrf_token : undefined;
  return csrfToken !== undefined;
}

export async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 403 && !retried && res.headers.get('content-type')?.includes('json')) {
    const error = await errorOf(res);
    if (error.code !== 'csrf_failed') throw error;
    if (await refreshCsrfToken()) return api<T>(method, path, body, true);
    onSessionEnded?.();
    throw error;
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A streamed chat completion: calls `onDelta` with each piece of text, returns the final chunk's metadata. */
export async function streamChat(body: Record<string, unknown>, onDelta: (text: string) => void, signal: AbortSignal): Promise<{ metadata: ChatMetadata | undefined; headers: Headers }> {
  const res = await fetch('/v1/chat/completions', {
    method: 'POST',
    credentials: 'same-origin',
    headers: headers({ 'content-type': 'application/json' }),
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
  if (!res.ok || !res.body) throw await errorOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let metadata: ChatMetadata | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') continue;
        const chunk = JSON.parse(data) as StreamChunk;
        if (chunk.error) throw new ApiError(502, chunk.error.code ?? null, chunk.error.message ?? 'The stream failed.');
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) onDelta(text);
        if (chunk.metadata) metadata = chunk.metadata;
      }
    }
  }
  return { metadata, headers: res.headers };
}

interface StreamChunk {
  choices?: Array<{ delta?: { content?: string } }>;
  metadata?: ChatMetadata;
  error?: { message?: string; code?: string | null };
}

export interface Attempt {
  provider: string;
  model: string;
  status: string;
  http_status?: number | null;
  reason?: string | null;
  error?: string;
  latency_ms: number;
}

export interface ChatMetadata {
  model_used: string;
  provider: string;
  cost_usd: number;
  latency_ms: number;
  cache_hit: boolean;
  complexity?: string;
  route?: string;
  attempts: Attempt[];
}
