/** `npm run emulator -- [--port 9100] [--latency 20]` / `cerebro emulator`: the provider emulator as a standalone server. */
import { isMainModule } from '../is-main.js';
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';

export const EMULATOR_USAGE =
  'Usage: cerebro emulator [--port 9100] [--host 127.0.0.1] [--latency <ms>]\n\nRuns the provider emulator (OpenAI, OpenRouter, Anthropic and Gemini wire formats) and prints the base URLs to give Cerebro.\n';

export async function runEmulator(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '9100' },
      host: { type: 'string', default: '127.0.0.1' },
      latency: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });

  if (values.help) {
    process.stdout.write(EMULATOR_USAGE);
    return;
  }

  const emulator = await startEmulator({ port: Number(values.port), host: values.host, latencyMs: Number(values.latency), record: false });
  process.stdout.write(
    [
      `Provider emulator listening on ${emulator.url}`,
      'Point Cerebro at it with:',
      `  OPENROUTER_BASE_URL=${emulator.baseUrls.openrouter} OPENROUTER_API_KEY=emulator`,
      `  GEMINI_BASE_URL=${emulator.baseUrls.gemini} GEMINI_API_KEY=emulator`,
      `  ANTHROPIC_BASE_URL=${emulator.baseUrls.anthropic} ANTHROPIC_API_KEY=emulator`,
      `  OPENAI_BASE_URL=${emulator.baseUrls.openai} OPENAI_API_KEY=emulator`,
      `Script it: curl -X POST ${emulator.url}/_emulator/script -d '{"provider":"openrouter","entries":[{"behavior":{"type":"error","status":429,"retryAfterSeconds":10},"times":3}]}'`,
      '',
    ].join('\n'),
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (isMainModule(import.meta.url)) await runEmulator(process.argv.slice(2));
