/**
 * `npm run demo`: the emulator and a real gateway pointed at it, playing a short scenario with no
 * network and no keys, printed as a table.
 */
import { isMainModule } from '../is-main.js';
import { OPERATOR_USER_ID } from '../gateway/caller.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { startEmulator } from '../emulator/server.js';
import { createGateway } from '../create-gateway.js';

interface Row {
  step: string;
  provider: string;
  model: string;
  path: string;
  answer: string;
}

const TOKEN = 'demo-token-0123456789abcdef';

export async function runDemo(): Promise<void> {
  const emulator = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-demo-'));
  const config = loadConfig({
    CEREBRO_API_TOKEN: TOKEN,
    DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`,
    OPENROUTER_API_KEY: 'demo',
    GEMINI_API_KEY: 'demo',
    ANTHROPIC_API_KEY: 'demo',
    OPENROUTER_BASE_URL: emulator.baseUrls.openrouter,
    GEMINI_BASE_URL: emulator.baseUrls.gemini,
    ANTHROPIC_BASE_URL: emulator.baseUrls.anthropic,
    LOG_LEVEL: 'warn',
  });
  let gateway: Awaited<ReturnType<typeof createGateway>>;
  try {
    gateway = await createGateway(config);
  } catch (err) {
    // Nothing may keep the process alive after a failed start.
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const rows: Row[] = [];

  async function chat(step: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as {
      choices?: Array<{ message: { content: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> } }>;
      metadata: { provider: string; model_used: string; cache_hit: boolean; complexity: string; attempts: Array<{ provider: string; model: string; status: string; http_status?: number }> };
      error?: { message: string };
    };
    const path = json.metadata.cache_hit
      ? 'answer cache (no upstream call)'
      : json.metadata.attempts.map((a) => `${a.model.split('/').pop() ?? a.model} ${a.status === 'ok' ? '✔' : `✘${a.http_status ?? ''}`}`).join(' → ');
    const message = json.choices?.[0]?.message;
    const calls = message?.tool_calls?.map((c) => `calls ${c.function.name}(${c.function.arguments})`).join(', ');
    rows.push({ step, provider: json.metadata.provider, model: json.metadata.model_used, path, answer: message?.content ?? calls ?? json.error?.message ?? '' });
  }

  /** The Responses API (the Vercel AI SDK's default): returns the response id, to continue from. */
  async function respond(step: string, body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { id?: string; output_text?: string; cerebro?: { provider: string; model_used: string }; error?: { message: string } };
    const provider = json.cerebro?.provider ?? '';
    const model = json.cerebro?.model_used ?? '';
    rows.push({ step, provider, model, path: `${model} ✔ (Responses API)`, answer: json.output_text ?? json.error?.message ?? '' });
    return json.id ?? '';
  }

  /** The same gateway as a Claude-format client sees it: POST /v1/messages with x-api-key. */
  async function message(step: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { content?: Array<{ type: string; text?: string }>; error?: { message: string } };
    const provider = res.headers.get('x-cerebro-provider') ?? '';
    const model = res.headers.get('x-cerebro-model') ?? '';
    rows.push({ step, provider, model, path: `${model} ✔ (Anthropic Messages format)`, answer: json.content?.find((b) => b.type === 'text')?.text ?? json.error?.message ?? '' });
  }

  try {
    await chat('1. A question: the free tier answers', { messages: [{ role: 'user', content: 'Hola, ¿qué tal?' }] });

    emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 429, retryAfterSeconds: 60, message: 'Rate limit exceeded: free-models-per-min' }, sticky: true }]);
    await chat('2. Free tier rate-limited: Gemini takes over', { messages: [{ role: 'user', content: 'Explain recursion briefly.' }] });
    emulator.script.reset();
    await chat('2b. Free tier cooling (Retry-After): no wasted call', { messages: [{ role: 'user', content: 'And iteration?' }] });
    // The demo does not wait out the 60 s cool-down: it forgets it, as time would.
    gateway.health.reset();

    await chat('3. priority "high": Claude answers', { messages: [{ role: 'user', content: 'Review this contract clause.' }], priority: 'high' });

    await chat('4a. Session "demo": first turn', { messages: [{ role: 'user', content: 'My name is Ana.' }], session_id: 'demo' });
    await chat('4b. Session "demo": remembered', { messages: [{ role: 'user', content: 'What is my name?' }], session_id: 'demo' });
    const sessionCall = emulator.requests.at(-1)?.body as { messages?: unknown[]; contents?: unknown[] } | undefined;

    await chat('5a. route "score", a simple prompt: a free model', { messages: [{ role: 'user', content: 'Hi there!' }], route: 'score' });
    const expert =
      'Prove step by step, formally, that the recursive algorithm terminates, derive its asymptotic complexity as a closed formula, and analyse the concurrency and memory trade-offs of a parallel version in Rust.';
    await chat('5b. route "score", a hard prompt: a stronger model', { messages: [{ role: 'user', content: expert }], route: 'score' });
    await chat('6. The same request again: the cache answers', { messages: [{ role: 'user', content: 'Hola, ¿qué tal?' }] });

    const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
    await chat('7. Tools, translated for Gemini', { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Weather in Lima?' }], tools: [weather], tool_choice: 'required' });
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    await chat('8. An image: text-only free tier skipped', { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }] });
    await message('9. A Claude-format client (POST /v1/messages)', { model: 'auto', max_tokens: 100, messages: [{ role: 'user', content: 'Hola desde Claude Code' }] });
    const first = await respond('10. The Responses API', { model: 'auto', input: 'My name is Ana.' });
    await respond('11. previous_response_id, continued on Claude', { model: 'claude-sonnet-4-5', previous_response_id: first, input: 'What is my name?' });

    const memory = (await gateway.sessions.page(OPERATOR_USER_ID, 'demo', 0, 1000)).turns;
    printTable(rows);
    process.stdout.write(`\nSession "demo" as stored (GET /v1/sessions/demo/messages):\n`);
    for (const turn of memory) process.stdout.write(`  ${turn.role.padEnd(9)} ${truncate(turn.content, 90)}\n`);
    process.stdout.write(
      `\nStep 4b's upstream call carried ${(sessionCall?.messages ?? sessionCall?.contents)?.length ?? '?'} messages: the remembered turns plus the new question.\n` +
        'Everything above ran against the local provider emulator: no network, no keys.\n',
    );
  } finally {
    await gateway.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function printTable(rows: Row[]): void {
  const columns: Array<[keyof Row, string, number]> = [
    ['step', 'Scenario', 52],
    ['provider', 'Provider', 10],
    ['path', 'Attempts', 70],
    ['answer', 'Answer', 64],
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |\n`;
  process.stdout.write('\n' + line(columns.map(([, title, width]) => title.padEnd(width))));
  process.stdout.write(line(columns.map(([, , width]) => '-'.repeat(width))));
  for (const row of rows) process.stdout.write(line(columns.map(([key, , width]) => truncate(row[key], width).padEnd(width))));
}

if (isMainModule(import.meta.url)) {
  runDemo().catch((err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
