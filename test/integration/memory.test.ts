/** Conversation memory: loaded before the call, stored before the answer is returned. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

type Turn = { role: string; content: string; model_used: string | null; created_at: string };

describe('session memory', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ CEREBRO_MEMORY_MESSAGES: '4' });
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  const chat = (content: string, session_id: string, extra: Record<string, unknown> = {}) =>
    s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }], session_id, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);

  const sessionMessages = async (id: string) => {
    const res = await fetch(`${s.url}/v1/sessions/${id}/messages`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as { session_id: string; messages: Turn[] };
  };

  it('remembers a two-turn conversation and sends the history upstream', async () => {
    await chat('My name is Ana.', 'two-turns');
    const second = await chat('What is my name?', 'two-turns');
    const sent = s.emulator.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    assert.deepEqual(
      sent.messages.map((m) => [m.role, m.content.startsWith('[') ? 'answer' : m.content]),
      [
        ['user', 'My name is Ana.'],
        ['assistant', 'answer'],
        ['user', 'What is my name?'],
      ],
    );
    assert.match(second.choices[0]!.message.content!, /\(3 messages\)/);
  });

  it('has stored the turn and the answer by the time the answer arrives', async () => {
    const r = await chat('Remember this.', 'stored-before-return');
    const { messages } = await sessionMessages('stored-before-return');
    assert.deepEqual(
      messages.map((m) => [m.role, m.content, m.model_used]),
      [
        ['user', 'Remember this.', null],
        ['assistant', r.choices[0]!.message.content, 'openrouter/free'],
      ],
    );
  });

  it('keeps system prompts first and loads only the last N messages', async () => {
    for (const q of ['one', 'two', 'three']) await chat(q, 'window');
    await s.client.chat.completions.create({
      model: 'auto',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'four' },
      ],
      session_id: 'window',
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const sent = s.emulator.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    assert.equal(sent.messages[0]!.role, 'system');
    // 4 remembered (two, its answer, three, its answer) + the new question.
    assert.equal(sent.messages.length, 1 + 4 + 1);
    assert.equal(sent.messages[1]!.content, 'two');
    assert.equal(sent.messages.at(-1)!.content, 'four');
  });

  it('takes the session from the X-Session-Id header too', async () => {
    await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'via header' }] }, { 'x-session-id': 'hdr-1' });
    const { messages } = await sessionMessages('hdr-1');
    assert.equal(messages[0]!.content, 'via header');
  });

  it('stores a streamed answer before [DONE]', async () => {
    const stream = await s.client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'stream it' }],
      stream: true,
      session_id: 'streamed',
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) {
        // The finish chunk is written only after the answer was stored.
        const { messages } = await sessionMessages('streamed');
        assert.equal(messages.length, 2);
      }
    }
    const { messages } = await sessionMessages('streamed');
    assert.equal(messages[1]!.content, text);
  });

  it('stores nothing when every upstream failed', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 500 }, sticky: true }]);
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 500 }, sticky: true }]);
    await assert.rejects(chat('lost?', 'failed'));
    assert.deepEqual((await sessionMessages('failed')).messages, []);
  });

  it('stores only the new user turns when a client re-sends the whole conversation', async () => {
    await s.client.chat.completions.create({
      model: 'auto',
      messages: [
        { role: 'user', content: 'old q' },
        { role: 'assistant', content: 'old a' },
        { role: 'user', content: 'new q' },
      ],
      session_id: 'resend',
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const { messages } = await sessionMessages('resend');
    assert.deepEqual(
      messages.map((m) => m.role + ':' + (m.role === 'user' ? m.content : '')),
      ['user:new q', 'assistant:'],
    );
  });

  it('forgets a session on DELETE', async () => {
    await chat('forget me', 'to-delete');
    const res = await fetch(`${s.url}/v1/sessions/to-delete`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    assert.deepEqual(await res.json(), { session_id: 'to-delete', deleted: true, messages_deleted: 2 });
    assert.deepEqual((await sessionMessages('to-delete')).messages, []);
  });

  it('does not remember an empty answer', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: '' } }]);
    await chat('silence?', 'empty-answer');
    const { messages } = await sessionMessages('empty-answer');
    assert.deepEqual(
      messages.map((m) => m.role),
      ['user'],
    );
  });

  it('does not repeat the history to a client that sends its own', async () => {
    await chat('first', 'own-history');
    await s.client.chat.completions.create({
      model: 'auto',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'an answer' },
        { role: 'user', content: 'second' },
      ],
      session_id: 'own-history',
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const sent = s.emulator.requests.at(-1)!.body as { messages: unknown[] };
    assert.equal(sent.messages.length, 3);
  });
});
