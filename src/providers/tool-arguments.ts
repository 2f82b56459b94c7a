/**
 * OpenAI carries a tool call's arguments as JSON text; Anthropic and Gemini want the object. Text
 * that is not a JSON object (a client's mistake, or a model's cut-off answer replayed) is sent as
 * an empty object, and said so.
 */
export function toolArgumentsObject(args: string, provider: string, warnings: string[]): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args === '' ? '{}' : args);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  warnings.push(`a tool call whose arguments were not a JSON object was sent to ${provider} with empty arguments`);
  return {};
}
