/** The examples in examples/ run against a real gateway (and the emulator), so they stay correct. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

describe('examples/', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  const run = (command: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(command, args, { env: { PATH: process.env.PATH, CEREBRO_BASE_URL: `${s.url}/v1`, CEREBRO_API_TOKEN: TEST_TOKEN }, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
  const example = (file: string) => run(process.execPath, [join('examples', file)]);

  it('curl.sh: a remembered chat, a stream and the Anthropic entrance', async () => {
    const out = await run('sh', ['examples/curl.sh']);
    assert.match(out, /"object":"chat.completion"/);
    assert.match(out, /data: \[DONE\]/);
    assert.match(out, /"type":"message"/);
  });

  it('openai-node.mjs: memory, a stream, and a tool call round trip', async () => {
    const out = await example('openai-node.mjs');
    assert.match(out, /memory: .*\(3 messages\)/);
    assert.match(out, /stream: .*Count to five/);
    assert.match(out, /tool call: get_weather \{"city":"What is the weather in Lima\?"\}/);
    assert.match(out, /answer: .*Tool result: \{"temperature_c":21,"sky":"clear"\}/);
    assert.match(out, /responses: .*\(3 messages\).*\(answered by anthropic\)/);
  });

  it('vercel-ai-sdk.mjs: generateText, streamText and a tool the SDK runs', async () => {
    const out = await example('vercel-ai-sdk.mjs');
    assert.match(out, /generateText: .*Say hello in Spanish/);
    assert.match(out, /streamText: .*Count to five/);
    assert.match(out, /tool calls: get_weather\(\{"city":"What is the weather in Lima\?"\}\)/);
    assert.match(out, /tool results: \[\{"city":"What is the weather in Lima\?","temperature_c":21\}\]/);
  });

  it('langchain.mjs: invoke, stream and bound tools', async () => {
    const out = await example('langchain.mjs');
    assert.match(out, /invoke: .*My name is Ana/);
    assert.match(out, /stream: .*Count to five/);
    assert.match(out, /tool calls: get_weather\(\{"city":"What is the weather in Lima\?"\}\)/);
  });
});
