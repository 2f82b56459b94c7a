/** The emulated model's answer: deterministic, and telling of what it was sent. */

export interface EmulatedPrompt {
  model: string;
  /** Every turn's text, in order, as the upstream received them. */
  turns: Array<{ role: string; text: string }>;
  maxTokens: number | undefined;
}

export interface EmulatedAnswer {
  /** The pieces a stream sends, one per chunk; joined they are the whole text. */
  pieces: string[];
  finish: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/** Roughly 4 characters a token, like the tokenizers real models use on English. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function answer(provider: string, prompt: EmulatedPrompt, override: string | undefined): EmulatedAnswer {
  const lastUser = [...prompt.turns].reverse().find((t) => t.role === 'user')?.text ?? '';
  const text = override ?? `[${provider}:${prompt.model}] (${prompt.turns.length} messages) You said: ${lastUser}`;
  let pieces: string[] = text.match(/\S+\s*|\s+/g) ?? [''];
  let finish: EmulatedAnswer['finish'] = 'stop';
  // One word is one token here, so max tokens truncates visibly.
  if (prompt.maxTokens !== undefined && pieces.length > prompt.maxTokens) {
    pieces = pieces.slice(0, prompt.maxTokens);
    finish = 'length';
  }
  return {
    pieces,
    finish,
    promptTokens: prompt.turns.reduce((n, t) => n + estimateTokens(t.text), 0),
    completionTokens: pieces.length,
  };
}
