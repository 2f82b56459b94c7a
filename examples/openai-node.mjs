// Cerebro with the official OpenAI SDK for Node: chat with memory, a stream, a tool call round trip, and the Responses API.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.CEREBRO_BASE_URL ?? 'http://localhost:8000/v1', apiKey: process.env.CEREBRO_API_TOKEN });

// Memory: Cerebro's extra fields ride along in the body.
await client.chat.completions.create({ model: 'auto', session_id: 'node-demo', messages: [{ role: 'user', content: 'My name is Ana.' }] });
const recalled = await client.chat.completions.create({ model: 'auto', session_id: 'node-demo', messages: [{ role: 'user', content: 'What is my name?' }] });
console.log('memory:', recalled.choices[0].message.content, `(answered by ${recalled.metadata.provider}/${recalled.metadata.model_used})`);

// Streaming.
const stream = await client.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Count to five.' }] });
let streamed = '';
for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
console.log('stream:', streamed);

// Tools: the model asks for a function, we run it, and send the result back.
const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];
const question = { role: 'user', content: 'What is the weather in Lima?' };
const first = await client.chat.completions.create({ model: 'auto', messages: [question], tools, tool_choice: 'required' });
const call = first.choices[0].message.tool_calls[0];
console.log('tool call:', call.function.name, call.function.arguments);
const result = { temperature_c: 21, sky: 'clear' };
const second = await client.chat.completions.create({
  model: 'auto',
  tools,
  messages: [question, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) }],
});
console.log('answer:', second.choices[0].message.content);

// The Responses API: Cerebro keeps the conversation, so previous_response_id works on every provider.
const intro = await client.responses.create({ model: 'auto', input: 'My name is Ana.' });
const followUp = await client.responses.create({ model: 'claude-sonnet-4-5', previous_response_id: intro.id, input: 'What is my name?' });
console.log('responses:', followUp.output_text, `(answered by ${followUp.cerebro.provider})`);
