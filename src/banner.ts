/** The start-up banner: where Cerebro listens, what it stores where, and what it can reach. */
import type { Config } from './config.js';
import type { Gateway } from './create-gateway.js';
import { PROVIDER_IDS } from './providers/registry.js';

const KEY_VARIABLES: Record<string, string> = {
  openrouter: 'OPENROUTER_API_KEY',
  gemini: 'GEMINI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};

export function banner(config: Config, gateway: Gateway, address: string): string {
  const lines = [
    '',
    '  Cerebro LLM gateway',
    `  URL        ${address}  (OpenAI base URL: ${address}/v1)`,
    `  Database   ${gateway.databaseDescription}`,
    `  Memory     last ${config.memoryMessages} messages per session_id`,
    '  Providers',
  ];
  for (const id of PROVIDER_IDS) {
    lines.push(gateway.isConfigured(id) ? `    ✔ ${id.padEnd(10)} ${config.baseUrls[id]}` : `    ✘ ${id.padEnd(10)} not configured (set ${KEY_VARIABLES[id]})`);
  }
  const c = gateway.catalog.cascade;
  lines.push(`  Cascade    free: ${c.free.join(', ') || '-'}`, `             fallback: ${c.fallback.join(', ') || '-'}`, `             priority high: ${c.priority.join(', ') || '-'}`);
  lines.push('  Auth       send "Authorization: Bearer <token>" on /v1/* and /api/*: the operator token, a gateway key (gw_…) or an account token');
  lines.push(
    `  Accounts   sign-up ${config.allowSignup ? 'open' : 'closed'}; users ${config.usersMayUseOperatorKeys ? 'may use' : 'bring their own keys instead of'} the operator's provider keys; provider-key storage ${config.masterEncryptionKey ? 'on' : 'off (set MASTER_ENCRYPTION_KEY)'}`,
  );
  if (gateway.token.source === 'environment') lines.push('             token: CEREBRO_API_TOKEN from the environment');
  else if (gateway.token.source === 'stored') lines.push('             token: the one generated at first start (only its hash is stored; set CEREBRO_API_TOKEN to replace it)');
  else {
    lines.push('             No CEREBRO_API_TOKEN was set, so one was generated. It is shown this once; only its hash is stored:', '', `             ${gateway.token.generated}`, '');
  }
  if (!PROVIDER_IDS.some((id) => gateway.isConfigured(id))) {
    lines.push('  Note       no provider key is set: requests will answer 503 until one is (try `npm run demo` for an offline tour)');
  }
  return lines.join('\n') + '\n';
}
