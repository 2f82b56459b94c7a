import type { FinishReason } from '../types.js';

/**
 * Gemini finish reasons → OpenAI finish reasons.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGeminiFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      // STOP, LANGUAGE, OTHER, FINISH_REASON_UNSPECIFIED and anything newer.
      return 'stop';
  }
}
