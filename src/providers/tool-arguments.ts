/**
 * OpenAI carries a tool call's arguments as JSON text; Anthropic and Gemini (and Anthropic-format
 * clients) want the object. Text that is not a JSON object (a client's mistake, or a model's cut-off
 * answer replayed) becomes an empty object.
 */
export function parseArgumentsObject(args: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(args === '' ? '{}' : args);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}

/** The arguments as an object for an upstream, saying so when they had to be emptied. */
export function toolArgumentsObject(args: string, provider: string, warnings: string[]): Record<string, unknown> {
  const value = parseArgumentsObject(args);
  if (value !== undefined) return value;
  warnings.push(`a tool call whose arguments were not a JSON object was sent to ${provider} with empty arguments`);
  return {};
}
