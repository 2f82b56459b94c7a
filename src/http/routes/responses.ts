/**
 * The OpenAI Responses API: POST /v1/responses (streaming and not), GET and DELETE
 * /v1/responses/{id}, GET /v1/responses/{id}/input_items. Behind the edge it is the same pipeline as
 * the other entrances; `previous_response_id` continues a stored conversation on any provider,
 * because Cerebro keeps it itself.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PersistedAnswer } from '../../gateway/chat-input.js';
import { GatewayError } from '../../core/errors.js';
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { ResponseRepository } from '../../store/response-repository.js';
import type { StorageQuota } from '../../gateway/storage-quota.js';
import { chatRequestContext } from '../chat-request.js';
import { entranceRoute, type Entrance, type EntranceDeps } from '../entrance.js';
import { answerTurn, completedResponse, ResponseEventEncoder, type ResponseEcho } from '../responses-format.js';
import { withoutCacheMarks } from '../../providers/prompt-cache-marks.js';
import { checkToolResults, entryOfItem, parseResponsesRequest, toTurns, withoutOrphanedResults, type InputEntry, type ResponsesRequest } from '../responses-request.js';
import { validate } from '../validate.js';

export interface ResponsesRouteOptions extends EntranceDeps {
  responses: ResponseRepository;
  /** Told when responses are deleted, so freed space counts at once. */
  storage?: Pick<StorageQuota, 'forget'> | undefined;
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

type ResponseRequest = ResponsesRequest & { id: string; createdAt: number };

/** The Responses entrance: its stored conversation looked up as the request is read, the answer stored by the pipeline. */
function responsesEntrance(responses: ResponseRepository): Entrance<ResponseRequest> {
  return {
    endpoint: 'responses',
    newId: () => `resp_${uuidv7().replaceAll('-', '')}`,
    parse: async (request, id) => {
      const req: ResponseRequest = {
        ...parseResponsesRequest(request.body, chatRequestContext(request.headers, id, request.caller), (i) => `msg_${id.slice(5)}i${i.toString(16)}`),
        id,
        createdAt: Math.floor(Date.now() / 1000),
      };
      const system = req.instructions ? [{ role: 'system' as const, content: req.instructions }] : [];
      if (req.entries.some((e) => e.kind === 'reference')) {
        req.newTurns = toTurns(await resolveReferences(req.entries, (itemId) => findItem(responses, request.caller.userId, itemId)));
        req.input.messages = [...system, ...req.newTurns];
      }
      if (req.previousResponseId !== undefined) {
        const history = await responses.conversation(request.caller.userId, req.previousResponseId).catch(() => {
          throw storedUnreadable();
        });
        if (!history) throw notFound(req.previousResponseId, 'previous_response_id');
        req.input.messages = [...system, ...withoutOrphanedResults(history), ...req.newTurns];
      }
      checkToolResults(req.input.messages);
      // Stored by the pipeline before the caller gets the answer, as session turns are: a failure fails the request.
      if (req.store) req.input.persist = (answer) => save(responses, request.caller.userId, req, answer);
      return req;
    },
    answer: (req, outcome) => completedResponse(req.id, req.createdAt, echoOf(req, outcome.result.model), outcome.result, outcome.metadata),
    stream: (req, outcome) => {
      const encoder = new ResponseEventEncoder(req.id, req.createdAt, echoOf(req, outcome.upstreamModel));
      return {
        start: () => encoder.start(),
        part: (part) => encoder.part(part),
        end: (summary, metadata) => encoder.end(summary.finishReason ?? 'stop', summary.usage, metadata).events,
        // response.failed, and no completion.
        failure: (res) => encoder.failed(res.status, res.body.error.message),
      };
    },
  };
}

/** Writes the response as GET will return it, with the turns it adds to its conversation; returns the bytes. */
async function save(responses: ResponseRepository, userId: string, req: ResponseRequest, { result, metadata }: PersistedAnswer): Promise<number> {
  const body = completedResponse(req.id, req.createdAt, echoOf(req, result.model), result, metadata);
  // Breakpoints belong to the request that sent them: continued, the conversation carries the new request's.
  const turns = JSON.stringify(withoutCacheMarks([...req.newTurns, answerTurn(result.text, result.toolCalls)]));
  const inputItems = JSON.stringify(req.inputItems);
  const text = JSON.stringify(body);
  const bytes = Buffer.byteLength(turns) + Buffer.byteLength(inputItems) + Buffer.byteLength(text);
  const createdAt = new Date(req.createdAt * 1000).toISOString();
  await responses.save({ id: req.id, user_id: userId, created_at: createdAt, previous_response_id: req.previousResponseId ?? null, turns, input_items: inputItems, body: text, bytes });
  return bytes;
}

export function responsesRoutes(app: FastifyInstance, options: ResponsesRouteOptions): void {
  const { responses } = options;
  entranceRoute(app, '/v1/responses', responsesEntrance(responses), options);

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
