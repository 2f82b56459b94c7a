/** Every kind of bad input gets its documented 4xx in the OpenAI error shape; never a 500. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

function assertErrorShape(body: unknown): asserts body is ErrorBody {
  const e = (body as ErrorBody).error;
  assert.equal(typeof e.message, 'string');
  assert.equal(typeof e.type, 'string');
  assert.ok(e.param === null || typeof e.param === 'string');
  assert.ok(e.code === null || typeof e.code === 'string');
}

describe('bad input', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ BODY_LIMIT_BYTES: '4096' });
  });
  after(() => s.close());

  async function expectError(res: Response, status: number, param?: string | null, code?: string): Promise<ErrorBody> {
    const body: unknown = await res.json();
    assert.equal(res.status, status, JSON.stringify(body));
    assertErrorShape(body);
    if (param !== undefined) assert.equal(body.error.param, param);
    if (code !== undefined) assert.equal(body.error.code, code);
    return body;
  }

  const ok = [{ role: 'user', content: 'hi' }];
  const cases: Array<[string, unknown, number, string | null, string?]> = [
    ['a body that is not an object', [1, 2], 400, null, 'invalid_body'],
    ['no messages', { model: 'auto' }, 400, 'messages', 'invalid_type'],
    ['empty messages', { messages: [] }, 400, 'messages'],
    ['messages of the wrong type', { messages: 'hello' }, 400, 'messages'],
    ['an unknown role', { messages: [{ role: 'wizard', content: 'x' }] }, 400, 'messages[0].role'],
    ['user content missing', { messages: [{ role: 'user' }] }, 400, 'messages[0].content'],
    ['content of the wrong type', { messages: [{ role: 'user', content: 42 }] }, 400, 'messages[0].content'],
    ['temperature out of range', { messages: ok, temperature: 3 }, 400, 'temperature'],
    ['temperature as a string', { messages: ok, temperature: 'hot' }, 400, 'temperature', 'invalid_type'],
    ['max_tokens not an integer', { messages: ok, max_tokens: 1.5 }, 400, 'max_tokens'],
    ['stream not a boolean', { messages: ok, stream: 'yes' }, 400, 'stream'],
    ['too many stop sequences', { messages: ok, stop: ['a', 'b', 'c', 'd', 'e'] }, 400, 'stop'],
    ['a bad session id', { messages: ok, session_id: '../../etc' }, 400, 'session_id'],
    ['an unknown priority', { messages: ok, priority: 'urgent' }, 400, 'priority'],
    ['a model that is not a string', { messages: ok, model: 7 }, 400, 'model'],
    ['a tool of another type', { messages: ok, tools: [{ type: 'web_search' }] }, 400, 'tools[0].type', 'invalid_value'],
    ['a tool name with spaces', { messages: ok, tools: [{ type: 'function', function: { name: 'get weather' } }] }, 400, 'tools[0].function.name', 'invalid_value'],
    [
      'a tool defined twice',
      {
        messages: ok,
        tools: [
          { type: 'function', function: { name: 'f' } },
          { type: 'function', function: { name: 'f' } },
        ],
      },
      400,
      'tools[1].function.name',
      'invalid_value',
    ],
    ['parameters that are not an object', { messages: ok, tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }, 400, 'tools[0].function.parameters', 'invalid_type'],
    [
      'a tool_choice naming no tool',
      { messages: ok, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } },
      400,
      'tool_choice.function.name',
      'invalid_value',
    ],
    ["tool_choice 'required' without tools", { messages: ok, tool_choice: 'required' }, 400, 'tool_choice', 'invalid_value'],
    ['an unknown tool_choice', { messages: ok, tool_choice: 'always' }, 400, 'tool_choice', 'invalid_value'],
    ['legacy functions', { messages: ok, functions: [{ name: 'f' }] }, 400, 'functions', 'unsupported_parameter'],
    [
      'a tool message answering no call',
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'tool', content: 'r', tool_call_id: 'c1' },
        ],
      },
      400,
      'messages[1].tool_call_id',
      'invalid_value',
    ],
    [
      'tool_calls on a user message',
      { messages: [{ role: 'user', content: 'q', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }] },
      400,
      'messages[0].tool_calls',
      'invalid_value',
    ],
    [
      'tool call arguments that are not a string',
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }] },
      400,
      'messages[0].tool_calls[0].function.arguments',
      'invalid_type',
    ],
    [
      'an image by file path',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] },
      400,
      'messages[0].content[0].image_url.url',
      'invalid_value',
    ],
    [
      'an image data URL of another type',
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml;base64,PHN2Zz4=' } }] }] },
      400,
      'messages[0].content[0].image_url.url',
      'invalid_value',
    ],
    [
      'an image in a system message',
      { messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x.example/y.png' } }] }, ...ok] },
      400,
      'messages[0].content[0].type',
      'unsupported_parameter',
    ],
    ['an audio part', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 400, 'messages[0].content[0].type', 'unsupported_parameter'],
    ['an unknown response_format', { messages: ok, response_format: { type: 'xml' } }, 400, 'response_format.type', 'invalid_value'],
    ['a json_schema without a name', { messages: ok, response_format: { type: 'json_schema', json_schema: { schema: {} } } }, 400, 'response_format.json_schema.name', 'invalid_type'],
  ];
  for (const [name, body, status, param, code] of cases) {
    it(`refuses ${name} with ${status}, naming the parameter`, async () => {
      await expectError(await s.post('/v1/chat/completions', body), status, param, code);
    });
  }

  it('refuses malformed JSON with 400 invalid_json', async () => {
    await expectError(await s.post('/v1/chat/completions', '{"messages": [}'), 400, null, 'invalid_json');
  });

  it('refuses an empty JSON body with 400', async () => {
    await expectError(await s.post('/v1/chat/completions', ''), 400);
  });

  it('accepts JSON sent without a JSON content type (curl -d)', async () => {
    const res = await s.post('/v1/chat/completions', JSON.stringify({ messages: ok }), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 200);
  });

  it('refuses a body over the limit with 413', async () => {
    await expectError(await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }), 413, null, 'request_too_large');
  });

  it('refuses an unknown model with 404 model_not_found', async () => {
    await expectError(await s.post('/v1/chat/completions', { model: 'no-such-model', messages: ok }), 404, 'model', 'model_not_found');
  });

  it('refuses a missing token with 401, before reading the body', async () => {
    const res = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    await expectError(res, 401, null, 'missing_api_key');
  });

  it('refuses a wrong token with 401 on every /v1 route', async () => {
    for (const [method, path] of [
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1/models'],
      ['GET', '/v1/sessions/abc/messages'],
      ['DELETE', '/v1/sessions/abc'],
    ] as const) {
      const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: 'Bearer wrong-token-wrong-token', 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : null });
      await expectError(res, 401, null, 'invalid_api_key');
    }
  });

  it('refuses a non-bearer Authorization header with 401', async () => {
    const res = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Basic ${TEST_TOKEN}` } });
    await expectError(res, 401);
  });

  it('answers unknown routes with 404 in the OpenAI shape', async () => {
    const res = await fetch(`${s.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    await expectError(res, 404, null, 'unknown_route');
  });

  it('refuses a bad session id on the sessions routes with 400', async () => {
    const res = await fetch(`${s.url}/v1/sessions/${'x'.repeat(200)}/messages`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    await expectError(res, 400, 'session_id');
  });

  it('refuses a bad X-Session-Id header with 400', async () => {
    await expectError(await s.post('/v1/chat/completions', { messages: ok }, { 'x-session-id': 'has spaces' }), 400, 'session_id');
  });

  it('reports unknown parameters as warnings instead of failing', async () => {
    const res = await s.post('/v1/chat/completions', { messages: ok, frobnicate: true });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-cerebro-warnings') ?? '', /unknown parameter 'frobnicate'/);
  });
});
