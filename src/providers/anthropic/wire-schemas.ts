/** Narrow schemas for what we read from the Anthropic Messages API. */
import { z } from 'zod';

export const anthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation: z.object({ ephemeral_1h_input_tokens: z.number().nullish() }).nullish(),
});

export const anthropicErrorSchema = z.object({
  type: z.literal('error'),
  error: z.object({ type: z.string(), message: z.string() }),
});

export const anthropicMessageSchema = z.object({
  id: z.string().optional(),
  type: z.literal('message'),
  model: z.string().optional(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional(), id: z.string().optional(), name: z.string().optional(), input: z.unknown().optional() })),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema,
});

export const anthropicStreamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string().optional(), model: z.string().optional(), usage: anthropicUsageSchema.optional() }) }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number(),
    content_block: z.object({ type: z.string(), text: z.string().optional(), id: z.string().optional(), name: z.string().optional() }),
  }),
  z.object({ type: z.literal('content_block_delta'), index: z.number(), delta: z.object({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }) }),
  z.object({ type: z.literal('content_block_stop'), index: z.number() }),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullish() }), usage: anthropicUsageSchema.optional() }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('ping') }),
  anthropicErrorSchema,
]);

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;
