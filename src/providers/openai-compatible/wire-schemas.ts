/**
 * Narrow schemas for what we read from OpenAI-compatible upstreams: only the fields the gateway
 * uses, so a provider adding fields never breaks us, and a missing required one fails loudly.
 */
import { z } from 'zod';

export const openAIUsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number().optional(),
  /** Read leniently (convert-usage.ts): a malformed breakdown loses the cache counts, not the answer. */
  prompt_tokens_details: z.unknown().optional(),
});

/** OpenAI `{error:{message,type,code}}`; OpenRouter `{error:{code:429,message,metadata}}`. */
export const openAIErrorBodySchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const toolCallSchema = z.object({
  id: z.string(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

/** One piece of a streamed tool call: the first names it, the rest extend its arguments. */
const toolCallDeltaSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const openAIChatResponseSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(toolCallSchema).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: openAIUsageSchema.nullish(),
});

export const openAIChatChunkSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .optional(),
  usage: openAIUsageSchema.nullish(),
  error: openAIErrorBodySchema.shape.error.optional(),
});

export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;
