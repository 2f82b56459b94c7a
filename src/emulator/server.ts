/**
 * The provider emulator: one local server speaking OpenAI, OpenRouter, Anthropic and Gemini on
 * their real paths (under a prefix each), scriptable to rate-limit, fail, stall or cut a stream,
 * and recording what it receives. Tests, the demo and the benchmark point the gateway here.
 *
 *   {url}/openai/v1/chat/completions            OPENAI_BASE_URL={url}/openai/v1
 *   {url}/openrouter/api/v1/chat/completions    OPENROUTER_BASE_URL={url}/openrouter/api/v1
 *   {url}/anthropic/v1/messages                 ANTHROPIC_BASE_URL={url}/anthropic
 *   {url}/gemini/v1beta/models/{m}:generateContent, :streamGenerateContent?alt=sse
 *                                               GEMINI_BASE_URL={url}/gemini
 *   GET  {url}/openai/v1/models, /openrouter/api/v1/key, /anthropic/v1/models, /gemini/v1beta/models (key checks)
 *   POST {url}/_emulator/script  {"provider","entries":[{behavior,model?,times?,sticky?}]}
 *   GET  {url}/_emulator/requests[?provider=]    POST {url}/_emulator/reset
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answer, estimateTokens, type EmulatedPrompt } from './answer.js';
import { EmulatedPromptCache, type CacheablePrompt } from './prompt-cache.js';
import { anthropicFormat } from './formats/anthropic.js';
import { geminiFormat } from './formats/gemini.js';
import { keyCheckBody, keyCheckRoute } from './formats/key-check.js';
import { openAIFormat } from './formats/openai.js';
import { embeddingAnswer, embeddingRoute } from './formats/embeddings.js';
import { asRecord, type EmulatedFormat } from './formats/types.js';
import { Script, type Behavior, type EmulatedProvider, type ScriptEntry } from './script.js';

export interface RecordedRequest {
  provider: EmulatedProvider;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** Delay before every answer, as a real upstream's latency (the benchmark's 20 ms run). */
  latencyMs?: number;
  /** Keep recorded requests (off for benchmarks: they would only grow). */
  record?: boolean;
}

export interface Emulator {
  url: string;
  script: Script;
  requests: RecordedRequest[];
  /** Base URLs to give the gateway, per provider. */
  baseUrls: Record<EmulatedProvider, string>;
  /** Answers being written now (a stream its client abandoned closes its own). */
  activeAnswers(): number;
  reset(): void;
  close(): Promise<void>;
}

const FORMATS: Record<EmulatedProvider, EmulatedFormat> = {
  openai: openAIFormat('openai'),
  openrouter: openAIFormat('openrouter'),
  anthropic: anthropicFormat(),
  gemini: geminiFormat(),
};

/** The whole prompt, as automatic caching compares prompts: every turn's role and text, in order. */
function automaticCacheable(prompt: EmulatedPrompt): CacheablePrompt {
  return { kind: 'automatic', text: prompt.turns.map((t) => `${t.role}\u0000${t.text}\u0000`).join(''), tokens: prompt.turns.reduce((n, t) => n + estimateTokens(t.text), 0) };
}

interface Route {
  provider: EmulatedProvider;
  model?: string;
  stream?: boolean;
}

function route(method: string, path: string): Route | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/openai/v1/chat/completions') return { provider: 'openai' };
  if (path === '/openrouter/api/v1/chat/completions') return { provider: 'openrouter' };
  if (path === '/anthropic/v1/messages') return { provider: 'anthropic' };
  const gemini = /^\/gemini\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (gemini) return { provider: 'gemini', model: decodeURIComponent(gemini[1]!), stream: gemini[2] === 'streamGenerateContent' };
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A scripted error status in the provider's own error format, with its Retry-After. */
function sendScriptedError(res: ServerResponse, format: EmulatedFormat, behavior: Extract<Behavior, { type: 'error' }>): void {
  const headers: Record<string, string> = behavior.retryAfterSeconds !== undefined ? { 'retry-after': String(behavior.retryAfterSeconds) } : {};
  sendJson(res, behavior.status, format.errorBody(behavior.status, behavior.message ?? `emulated ${behavior.status}`, behavior.retryAfterSeconds), headers);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const script = new Script();
  const requests: RecordedRequest[] = [];
  const record = options.record ?? true;
  const sockets = new Set<Socket>();
  const promptCache = new EmulatedPromptCache();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const text = await readBody(req);
    if (url.pathname.startsWith('/_emulator/')) return control(req.method ?? 'GET', url, text, res);
    const keyCheck = keyCheckRoute(req.method ?? 'GET', url.pathname);
    if (keyCheck) {
      const format = FORMATS[keyCheck];
      if (record) requests.push({ provider: keyCheck, path: url.pathname + url.search, headers: req.headers, body: undefined });
      if (!format.authorized(req.headers, url)) return sendJson(res, 401, format.errorBody(401, 'invalid or missing API key'));
      // A scripted error (say a 401 for a revoked key) applies to key checks too.
      const behavior = script.next(keyCheck, '');
      if (behavior.type === 'error') return sendScriptedError(res, format, behavior);
      return sendJson(res, 200, keyCheckBody(keyCheck, url.pathname));
    }
    const embedding = embeddingRoute(req.method ?? 'GET', url.pathname);
    if (embedding) return embed(embedding, url, text, req, res);
    const r = route(req.method ?? 'GET', url.pathname);
    if (!r) return sendJson(res, 404, { error: { message: `emulator: no route ${req.method} ${url.pathname}` } });
    const format = FORMATS[r.provider];
    const admitted = admit(r.provider, url, text, req, res);
    if (!admitted) return;
    const { body } = admitted;
    let prompt;
    try {
      prompt = format.readPrompt(body, r.model);
    } catch (err) {
      return sendJson(res, 400, format.errorBody(400, (err as Error).message));
    }
    const stream = r.stream ?? prompt.stream;
    const behavior = script.next(r.provider, prompt.model);
    if (options.latencyMs) await sleep(options.latencyMs);
    switch (behavior.type) {
      case 'stall': {
        // The socket stays open; the client's timeout must deal with it.
        if (!stream || !behavior.keepAliveMs) return;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const timer = setInterval(() => res.write(': OPENROUTER PROCESSING\n\n'), behavior.keepAliveMs);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'error':
        return sendScriptedError(res, format, behavior);
      case 'html':
        res.writeHead(behavior.status, { 'content-type': 'text/html' });
        res.end(`<html><head><title>${behavior.status}</title></head><body><center><h1>${behavior.status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n`);
        return;
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'cut':
        if (!stream) {
          res.socket?.destroy();
          return;
        }
        break;
      case 'ok':
        if (behavior.delayMs) await sleep(behavior.delayMs);
        break;
      default:
        break;
    }
    let a;
    try {
      a = answer(r.provider, prompt, behavior.type === 'ok' ? behavior.text : undefined, behavior.type === 'ok' ? behavior.toolCalls : undefined);
    } catch (err) {
      return sendJson(res, 400, format.errorBody(400, (err as Error).message));
    }
    a.cache = promptCache.use(r.provider, prompt.cacheable ?? (format.automaticCaching ? automaticCacheable(prompt) : undefined));
    a.promptTokens = Math.max(a.promptTokens, a.cache.read + a.cache.write);
    if (!stream) return sendJson(res, 200, format.response(prompt, a));

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const frame of format.streamStart(prompt, a)) res.write(frame);
    const chunkDelay = behavior.type === 'ok' ? behavior.chunkDelayMs : undefined;
    for (let i = 0; i < a.pieces.length; i++) {
      if ((behavior.type === 'cut' || behavior.type === 'stream-error') && i === behavior.afterChunks) {
        if (behavior.type === 'cut') {
          res.socket?.destroy();
          return;
        }
        res.end(format.streamError(prompt, behavior.status ?? 502, behavior.message ?? 'emulated mid-stream failure'));
        return;
      }
      if (chunkDelay) await sleep(chunkDelay);
      const frame = format.streamPiece(prompt, a.pieces[i]!, i);
      // Before a cut, wait until the frames are on the wire: destroying a socket drops its buffer.
      if (behavior.type === 'cut') await new Promise<void>((resolve) => res.write(frame, () => resolve()));
      else res.write(frame);
    }
    res.end(format.streamEnd(prompt, a).join(''));
  }

  /** A model request's JSON body, recorded, with its credentials checked; undefined once an error answer is sent. */
  function admit(provider: EmulatedProvider, url: URL, text: string, req: IncomingMessage, res: ServerResponse): { body: unknown } | undefined {
    const format = FORMATS[provider];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      sendJson(res, 400, format.errorBody(400, 'request body is not valid JSON'));
      return undefined;
    }
    if (record) requests.push({ provider, path: url.pathname + url.search, headers: req.headers, body });
    if (!format.authorized(req.headers, url)) {
      sendJson(res, 401, format.errorBody(401, 'invalid or missing API key'));
      return undefined;
    }
    return { body };
  }

  async function embed(r: { provider: EmulatedProvider; model?: string }, url: URL, text: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const format = FORMATS[r.provider];
    const admitted = admit(r.provider, url, text, req, res);
    if (!admitted) return;
    let out;
    try {
      out = embeddingAnswer(r.provider, r.model, asRecord(admitted.body));
    } catch (err) {
      return sendJson(res, 400, format.errorBody(400, (err as Error).message));
    }
    const behavior = script.next(r.provider, out.model);
    if (behavior.type === 'error') return sendScriptedError(res, format, behavior);
    if (options.latencyMs) await sleep(options.latencyMs);
    sendJson(res, 200, out.answer);
  }

  function control(method: string, url: URL, text: string, res: ServerResponse): void {
    if (method === 'POST' && url.pathname === '/_emulator/script') {
      const { provider, entries } = JSON.parse(text) as { provider: EmulatedProvider; entries: ScriptEntry[] };
      script.add(provider, entries);
      return sendJson(res, 200, { ok: true });
    }
    if (method === 'POST' && url.pathname === '/_emulator/reset') {
      script.reset();
      requests.length = 0;
      promptCache.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (method === 'GET' && url.pathname === '/_emulator/requests') {
      const provider = url.searchParams.get('provider');
      return sendJson(res, 200, provider ? requests.filter((r) => r.provider === provider) : requests);
    }
    sendJson(res, 404, { error: { message: 'unknown emulator control route' } });
  }

  let active = 0;
  const server: Server = createServer((req, res) => {
    active++;
    res.once('close', () => active--);
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `emulator failure: ${(err as Error).message}` } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    script,
    requests,
    baseUrls: { openai: `${url}/openai/v1`, openrouter: `${url}/openrouter/api/v1`, anthropic: `${url}/anthropic`, gemini: `${url}/gemini` },
    activeAnswers: () => active,
    reset() {
      script.reset();
      requests.length = 0;
      promptCache.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Stalled requests would keep close() waiting forever.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
