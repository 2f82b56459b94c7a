// Cerebro with the Vercel AI SDK: generateText, streamText and a tool, through its default OpenAI provider.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, tool } from 'ai';
import { z } from 'zod';

const cerebro = createOpenAI({ baseURL: process.env.CEREBRO_BASE_URL ?? 'http://localhost:8000/v1', apiKey: process.env.CEREBRO_API_TOKEN });
// The SDK's default call speaks the Responses API (POST /v1/responses); cerebro.chat('auto') speaks
// Chat Completions. Cerebro serves both.
const model = cerebro('auto');

const { text } = await generateText({ model, prompt: 'Say hello in Spanish.' });
console.log('generateText:', text);

const result = streamText({ model, prompt: 'Count to five.' });
let streamed = '';
for await (const piece of result.textStream) streamed += piece;
console.log('streamText:', streamed);

const withTool = await generateText({
  model,
  prompt: 'What is the weather in Lima?',
  tools: { get_weather: tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, temperature_c: 21 }) }) },
  toolChoice: 'required',
});
console.log('tool calls:', withTool.toolCalls.map((c) => `${c.toolName}(${JSON.stringify(c.input)})`).join(', '));
console.log('tool results:', JSON.stringify(withTool.toolResults.map((r) => r.output)));
