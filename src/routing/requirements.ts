/**
 * What a request needs of a model beyond text, read from the request alone (pure): function
 * calling, image input, structured JSON output. The router sends it only to models whose catalog
 * entry has those capabilities.
 */
import type { ChatMessage, ChatParams } from '../providers/types.js';

export interface Requirements {
  tools: boolean;
  vision: boolean;
  json: boolean;
}

export const NO_REQUIREMENTS: Requirements = Object.freeze({ tools: false, vision: false, json: false });

export function requirementsOf(messages: readonly ChatMessage[], params: ChatParams): Requirements {
  let tools = params.tools !== undefined && params.tools.length > 0;
  let vision = false;
  for (const m of messages) {
    // A conversation that already holds calls and results needs a model that reads them.
    if (m.toolCalls !== undefined || m.role === 'tool') tools = true;
    if (m.parts?.some((p) => p.type === 'image')) vision = true;
  }
  const json = params.responseFormat !== undefined;
  return tools || vision || json ? { tools, vision, json } : NO_REQUIREMENTS;
}

/** The requirements a model's capabilities lack, by name ([] when it can take the request). */
export function missingCapabilities(required: Requirements, capabilities: { tools: boolean; vision: boolean; json: boolean }): string[] {
  const missing: string[] = [];
  if (required.tools && !capabilities.tools) missing.push('tools');
  if (required.vision && !capabilities.vision) missing.push('images');
  if (required.json && !capabilities.json) missing.push('JSON output');
  return missing;
}
