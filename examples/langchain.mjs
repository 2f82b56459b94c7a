// Cerebro with LangChain.js: ChatOpenAI pointed at the gateway, a plain call, a stream and bound tools.
import { ChatOpenAI } from '@langchain/openai';

const llm = new ChatOpenAI({
  model: 'auto',
  apiKey: process.env.CEREBRO_API_TOKEN,
  configuration: { baseURL: process.env.CEREBRO_BASE_URL ?? 'http://localhost:8000/v1' },
  // Cerebro's extra fields: memory under a session.
  modelKwargs: { session_id: 'langchain-demo' },
});

const reply = await llm.invoke('My name is Ana. Say hello.');
console.log('invoke:', reply.content);

let streamed = '';
for await (const chunk of await llm.stream('Count to five.')) streamed += chunk.content;
console.log('stream:', streamed);

const withTools = llm.bindTools(
  [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  { tool_choice: 'get_weather' },
);
const asked = await withTools.invoke('What is the weather in Lima?');
console.log('tool calls:', asked.tool_calls.map((c) => `${c.name}(${JSON.stringify(c.args)})`).join(', '));
