/**
 * The OpenAI Responses API: POST /v1/responses (streaming and not), GET and DELETE
 * /v1/responses/{id}, GET /v1/responses/{id}/input_items. Behind the edge it is the same pipeline as
 * the other entrances; `previous_response_id` continues a stored conversation on any provider,
 * because Cerebro keeps it itself.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { CancelSignal } from '../../core/cancellation.js';
import type { ChatService } from '../../gateway/chat-service.js';
import { GatewayError } from '../../core/errors.js';
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { ResponseRepository } from '../../store/response-repository.js';
import type { StorageQuota } from '../../gateway/storage-quota.js';
import { chatRequestContext } from '../chat-request.js';
import { toErrorResponse } from '../error-response.js';
import type { InFlightRequests } from '../in-flight.js';
import { answerTurn, completedResponse, ResponseEventEncoder, type ResponseEcho } from '../responses-format.js';
import { checkToolResults, entryOfItem, parseResponsesRequest, toTurns, withoutOrphanedResults, type InputEntry, type ResponsesRequest } from '../responses-request.js';
import { SseWriter } from '../sse-writer.js';
import { validate } from '../validate.js';
import { warningHeader } from './chat-completions.js';

export interface ResponsesRouteOptions {
  chat: ChatService;
  responses: ResponseRepository;
  /** Told when responses are deleted, so freed space counts at once. */
  storage?: Pick<StorageQuota, 'forget'> | undefined;
  inFlight: InFlightRequests;
  totalTimeoutMs: number;
}

const idParam = z.object({ id: z.string().min(1).max(200) });
export const inputItemsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().max(200).optional(),
});

const notFound = (id: string, param = 'response_id') => new GatewayError({ status: 404, type: 'invalid_request_error', code: 'not_found', param, message: `Response with id '${id}' not found.` });

const storedUnreadable = () =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'database_unavailable',
    headers: { 'retry-after': '1' },
    message: 'Stored responses cannot be read right now; try again shortly.',
  });

/** Item ids name their response: `msg_`/`fc_`, its 32 hex digits, then the item's number (`i` for an input item). */
const ITEM_ID = /^(?:msg|fc)_([0-9a-f]{32})(i)?[0-9a-f]+$/;

/** A stored item of the caller's, as it was listed (an output item, or an input item with `i`). */
async function findItem(responses: ResponseRepository, userId: string, itemId: string): Promise<Record<string, unknown> | undefined> {
  const m = ITEM_ID.exec(itemId);
  if (!m) return undefined;
  const row = await responses.get(userId, `resp_${m[1]}`).catch(() => {
    throw storedUnreadable();
  });
  if (!row) return undefined;
  const list = (m[2] ? JSON.parse(row.input_items) : (JSON.parse(row.body) as { output: unknown[] }).output) as Array<Record<string, unknown>>;
  return list.find((item) => item.id === itemId);
}

/** Item references replaced by the stored items they name; one that is not the caller's is a 404. */
async function resolveReferences(entries: readonly InputEntry[], find: (id: string) => Promise<Record<string, unknown> | undefined>): Promise<InputEntry[]> {
  const out: InputEntry[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'reference') {
      out.push(entry);
      continue;
    }
    const item = await find(entry.id);
    if (!item) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'not_found', param: entry.at, message: `Item with id '${entry.id}' not found.` });
    out.push(...entryOfItem(item, entry.at));
  }
  return out;
}

/** What a Response echoes of its request. */
const echoOf = (req: ResponsesRequest, model: string): ResponseEcho => ({ model, instructions: req.instructions, body: req.body, previousResponseId: req.previousResponseId, store: req.store });

export function responsesRoutes(app: FastifyInstance, options: ResponsesRouteOptions): void {
  const { chat, responses } = options;

  app.post('/v1/responses', async (request, reply) => {
    const id = `resp_${uuidv7().replaceAll('-', '')}`;
    const createdAt = Math.floor(Date.now() / 1000);
    let req: ResponsesRequest;
    try {
      req = parseResponsesRequest(request.body, chatRequestContext(request.headers, id, request.caller), (i) => `msg_${id.slice(5)}i${i.toString(16)}`);
      if (req.entries.some((e) => e.kind === 'reference')) {
        req.newTurns = toTurns(await resolveReferences(req.entries, (itemId) => findItem(responses, request.caller.userId, itemId)));
        req.input.messages = [...(req.instructions ? [{ role: 'system' as const, content: req.instructions }] : []), ...req.newTurns];
      }
      if (req.previousResponseId !== undefined) {
        const history = await responses.conversation(request.caller.userId, req.previousResponseId).catch(() => {
          throw storedUnreadable();
        });
        if (!history) throw notFound(req.previousResponseId, 'previous_response_id');
        req.input.messages = [...(req.instructions ? [{ role: 'system' as const, content: req.instructions }] : []), ...withoutOrphanedResults(history), ...req.newTurns];
      }
      checkToolResults(req.input.messages);
    } catch (err) {
      const raw = request.body as { model?: unknown; stream?: unknown } | null;
      chat.recordRejected({ requestId: id, caller: request.caller, model: typeof raw?.model === 'string' ? raw.model : undefined, stream: raw?.stream === true, endpoint: 'responses' }, err);
      throw err;
    }
    const input = req.input;
    // Stored by the pipeline before the caller gets the answer, as session turns are: a failure fails the request.
    if (req.store) {
      input.persist = async ({ result, metadata }) => {
        const body = completedResponse(id, createdAt, echoOf(req, result.model), result, metadata);
        const turns = JSON.stringify([...req.newTurns, answerTurn(result.text, result.toolCalls)]);
        const inputItems = JSON.stringify(req.inputItems);
        const text = JSON.stringify(body);
        const bytes = Buffer.byteLength(turns) + Buffer.byteLength(inputItems) + Buffer.byteLength(text);
        const row = {
          id,
          user_id: request.caller.userId,
          created_at: new Date(createdAt * 1000).toISOString(),
          previous_response_id: req.previousResponseId ?? null,
          turns,
          input_items: inputItems,
          body: text,
          bytes,
        };
        await responses.save(row);
        return bytes;
      };
    }
    return options.inFlight.run(
      reply.raw,
      options.totalTimeoutMs,
      async (signal) => {
        if (input.stream) {
          await streamResponse(chat, req, id, createdAt, reply, signal, options.inFlight);
          return reply;
        }
        const outcome = await chat.complete(input, signal);
        const body = completedResponse(id, createdAt, echoOf(req, outcome.result.model), outcome.result, outcome.metadata);
        return reply.headers({ 'x-cerebro-provider': outcome.metadata.provider, 'x-cerebro-model': outcome.metadata.model_used, ...warningHeader(outcome.warnings) }).send(body);
      },
      request.caller.userId,
    );
  });

  app.get('/v1/responses/:id', async (request) => {
    const { id } = validate(idParam, request.params);
    const row = await responses.get(request.caller.userId, id);
    if (!row) throw notFound(id);
    return JSON.parse(row.body) as unknown;
  });

  app.delete('/v1/responses/:id', async (request) => {
    const { id } = validate(idParam, request.params);
    if (!(await responses.delete(request.caller.userId, id))) throw notFound(id);
    options.storage?.forget(request.caller.userId);
    return { id, object: 'response', deleted: true };
  });

  app.get('/v1/responses/:id/input_items', async (request) => {
    const { id } = validate(idParam, request.params);
    const q = validate(inputItemsQuery, request.query);
    const row = await responses.get(request.caller.userId, id);
    if (!row) throw notFound(id);
    const all = JSON.parse(row.input_items) as Array<{ id: string }>;
    const ordered = q.order === 'desc' ? [...all].reverse() : all;
    const start = q.after === undefined ? 0 : ordered.findIndex((item) => item.id === q.after) + 1;
    if (q.after !== undefined && start === 0)
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'after', message: `No input item '${q.after}' in this response.` });
    const data = ordered.slice(start, start + q.limit);
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + q.limit < ordered.length };
  });
}

async function streamResponse(chat: ChatService, req: ResponsesRequest, id: string, createdAt: number, reply: FastifyReply, signal: CancelSignal, inFlight: InFlightRequests): Promise<void> {
  // Errors before the first byte are ordinary error responses (thrown from here).
  const outcome = await chat.stream(req.input, signal);
  try {
    reply.hijack();
    inFlight.streamStarted(reply);
    const sse = new SseWriter(reply.raw, signal);
    sse.start({
      ...(reply.getHeaders() as Record<string, string>),
      'x-cerebro-provider': outcome.target.provider,
      'x-cerebro-model': outcome.target.model,
      'x-request-id': reply.request.id,
      ...warningHeader(outcome.warnings),
    });
    const encoder = new ResponseEventEncoder(id, createdAt, echoOf(req, outcome.upstreamModel));
    await sse.events(encoder.start());
    try {
      for await (const batch of outcome.parts) {
        for (const part of batch) {
          const full = sse.events(encoder.part(part));
          if (full) await full;
        }
        if (sse.closed) return;
      }
    } catch (err) {
      // After the first byte a failure can only be told in-band: response.failed, and no completion.
      const res = toErrorResponse(outcome.publicError(err));
      await sse.events(encoder.failed(res.status, res.body.error.message));
      sse.end();
      return;
    }
    const summary = await outcome.summary;
    const metadata = {
      model_used: outcome.target.model,
      provider: outcome.target.provider,
      cost_usd: summary.costUsd,
      latency_ms: summary.latencyMs,
      cache_hit: outcome.cacheHit,
      attempts: outcome.attempts,
      complexity: outcome.routing.complexity,
      route: outcome.routing.policy,
    };
    // Stored by now (the pipeline's last step before the parts ended); only then does the caller see the end.
    const { events } = encoder.end(summary.finishReason ?? 'stop', summary.usage, metadata);
    await sse.events(events);
    sse.end();
  } finally {
    await outcome.parts.return(undefined);
  }
}
