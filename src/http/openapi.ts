/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from the same zod schemas the routes
 * validate with (one table below names each route's schemas), served at /openapi.json and browsable
 * at /docs. A test holds the table to the routes the app actually registers.
 */
import { z } from 'zod';
import { messagesRequestSchema } from './anthropic-request.js';
import { chatRequestSchema } from './chat-request.js';
import { deleteAccountBody, loginBody, passwordBody, signupBody } from './routes/account.js';
import { createUserBody, listQuery, patchBody } from './routes/admin-users.js';
import { historyQuery, sessionsListQuery } from './routes/sessions.js';
import { logsQuery } from './routes/logs.js';
import { responsesRequestSchema } from './responses-request.js';
import { inputItemsQuery } from './routes/responses.js';
import { breakdownQuery, distributionQuery, overviewQuery } from './routes/analytics.js';
import { embeddingsRequestSchema } from './routes/embeddings.js';
import { updateBody as updateKeyBody, createBody } from './routes/gateway-keys.js';
import { addBody } from './routes/provider-keys.js';
import { putBody } from './routes/user-config.js';
import { consoleSignInBody } from './routes/console-session.js';

type Auth = 'none' | 'bearer' | 'operator';

interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path (`{param}`). */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Answers as server-sent events when the body asks `stream: true`. */
  streams?: boolean;
  /** The error shape, when not OpenAI's. */
  anthropicErrors?: boolean;
}

export const ROUTE_DOCS: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/chat/completions',
    tag: 'OpenAI-compatible',
    summary: 'Chat completion (OpenAI format), streaming or not; tools, images, JSON output; Cerebro fields session_id, priority, route, cache.',
    auth: 'bearer',
    body: chatRequestSchema,
    streams: true,
  },
  {
    method: 'post',
    path: '/v1/messages',
    tag: 'Anthropic-compatible',
    summary: 'Message (Anthropic Messages format), streaming or not, through the same routing, memory and limits.',
    auth: 'bearer',
    body: messagesRequestSchema,
    streams: true,
    anthropicErrors: true,
  },
  {
    method: 'post',
    path: '/v1/messages/count_tokens',
    tag: 'Anthropic-compatible',
    summary: "A Messages body's input tokens, counted locally (no provider called).",
    auth: 'bearer',
    anthropicErrors: true,
  },
  {
    method: 'post',
    path: '/v1/responses',
    tag: 'OpenAI-compatible',
    summary: 'Create a response (OpenAI Responses format), streaming or not, on any routed model; previous_response_id continues a stored conversation on any provider.',
    auth: 'bearer',
    body: responsesRequestSchema,
    streams: true,
  },
  { method: 'get', path: '/v1/responses/{id}', tag: 'OpenAI-compatible', summary: "A stored response (the caller's own).", auth: 'bearer' },
  { method: 'delete', path: '/v1/responses/{id}', tag: 'OpenAI-compatible', summary: 'Delete a stored response.', auth: 'bearer' },
  { method: 'get', path: '/v1/responses/{id}/input_items', tag: 'OpenAI-compatible', summary: "A stored response's input items.", auth: 'bearer', query: inputItemsQuery },
  { method: 'post', path: '/v1/embeddings', tag: 'OpenAI-compatible', summary: 'Embeddings (OpenAI format), float or base64.', auth: 'bearer', body: embeddingsRequestSchema },
  { method: 'get', path: '/v1/models', tag: 'OpenAI-compatible', summary: 'The models this gateway serves, plus auto.', auth: 'bearer' },
  { method: 'post', path: '/v1/route', tag: 'Routing', summary: 'Dry run: the classification and routing plan of a chat request, calling no provider.', auth: 'bearer', body: chatRequestSchema },
  { method: 'get', path: '/v1/sessions/{session_id}/messages', tag: 'Memory', summary: "A session's remembered messages, oldest first, a page at a time.", auth: 'bearer', query: historyQuery },
  { method: 'delete', path: '/v1/sessions/{session_id}', tag: 'Memory', summary: 'Forget a session.', auth: 'bearer' },
  {
    method: 'get',
    path: '/api/sessions',
    tag: 'Memory',
    summary: "The caller's sessions (messages, last activity, a preview), most recently active first, paged.",
    auth: 'bearer',
    query: sessionsListQuery,
  },
  { method: 'get', path: '/health', tag: 'Operations', summary: 'Process up and database reachable.', auth: 'none' },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics.', auth: 'operator' },
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This document.', auth: 'none' },
  { method: 'get', path: '/api/models', tag: 'Routing', summary: 'The model registry: prices, limits, quality, capabilities, live health.', auth: 'bearer' },
  { method: 'get', path: '/api/health/providers', tag: 'Routing', summary: 'Provider health: circuits, success rates, latency, cool-downs, the free-tier count.', auth: 'operator' },
  { method: 'get', path: '/api/cache', tag: 'Routing', summary: 'Answer cache counters.', auth: 'operator' },
  { method: 'post', path: '/api/auth/signup', tag: 'Accounts', summary: 'Create an account; returns an access token.', auth: 'none', body: signupBody },
  { method: 'post', path: '/api/auth/login', tag: 'Accounts', summary: 'Log in; returns an access token (24 h).', auth: 'none', body: loginBody },
  {
    method: 'get',
    path: '/api/console/session',
    tag: 'Console',
    summary: "The web console's session: whether one is open (with its CSRF token for the x-cerebro-csrf header), and whether sign-up is open.",
    auth: 'none',
  },
  {
    method: 'post',
    path: '/api/console/session',
    tag: 'Console',
    summary: 'Open a console session (an httpOnly cookie) with e-mail and password, or with the operator token.',
    auth: 'none',
    body: consoleSignInBody,
  },
  { method: 'post', path: '/api/console/signup', tag: 'Console', summary: 'Create an account and open a console session (when ALLOW_SIGNUP allows).', auth: 'none', body: signupBody },
  {
    method: 'post',
    path: '/api/console/password',
    tag: 'Console',
    summary: 'Change the password from the console: every other token of the account ends, this session goes on with a fresh cookie (needs x-cerebro-csrf).',
    auth: 'none',
    body: passwordBody,
  },
  { method: 'delete', path: '/api/console/session', tag: 'Console', summary: "Close the console session (its token is revoked); needs the session's x-cerebro-csrf header.", auth: 'none' },
  { method: 'get', path: '/api/auth/me', tag: 'Accounts', summary: 'The caller.', auth: 'bearer' },
  { method: 'post', path: '/api/auth/logout', tag: 'Accounts', summary: 'Sign out the account token this is called with.', auth: 'bearer' },
  { method: 'post', path: '/api/auth/password', tag: 'Accounts', summary: 'Change the password; every earlier account token stops working. Returns a fresh one.', auth: 'bearer', body: passwordBody },
  { method: 'delete', path: '/api/auth/me', tag: 'Accounts', summary: 'Delete the account and everything it owns (its request logs stay, anonymised).', auth: 'bearer', body: deleteAccountBody },
  { method: 'get', path: '/api/admin/users', tag: 'Accounts', summary: 'Every account, paged, with its usage today.', auth: 'operator', query: listQuery },
  {
    method: 'post',
    path: '/api/admin/users',
    tag: 'Accounts',
    summary: 'Create an account (sign-up open or not); a password is generated when none is given.',
    auth: 'operator',
    body: createUserBody,
  },
  { method: 'patch', path: '/api/admin/users/{id}', tag: 'Accounts', summary: 'Disable or re-enable an account, or set its daily token limit.', auth: 'operator', body: patchBody },
  { method: 'post', path: '/api/keys/gateway', tag: 'Keys', summary: 'Create a gateway key (gw_…), shown once.', auth: 'bearer', body: createBody },
  { method: 'get', path: '/api/keys/gateway', tag: 'Keys', summary: "The caller's gateway keys.", auth: 'bearer' },
  { method: 'patch', path: '/api/keys/gateway/{id}', tag: 'Keys', summary: 'Rename a gateway key, or change its rate limit or US-dollar budget.', auth: 'bearer', body: updateKeyBody },
  { method: 'delete', path: '/api/keys/gateway/{id}', tag: 'Keys', summary: 'Revoke a gateway key.', auth: 'bearer' },
  { method: 'post', path: '/api/keys/providers', tag: 'Keys', summary: 'Store (verified, encrypted) a provider key of your own.', auth: 'bearer', body: addBody },
  { method: 'get', path: '/api/keys/providers', tag: 'Keys', summary: 'Your provider keys (never the keys themselves).', auth: 'bearer' },
  { method: 'delete', path: '/api/keys/providers/{provider}', tag: 'Keys', summary: 'Remove a provider key.', auth: 'bearer' },
  { method: 'get', path: '/api/config', tag: 'Settings', summary: 'Your settings.', auth: 'bearer' },
  { method: 'put', path: '/api/config', tag: 'Settings', summary: 'Change your settings.', auth: 'bearer', body: putBody },
  { method: 'get', path: '/api/analytics/overview', tag: 'Analytics', summary: 'Requests, tokens, cost, latency and success over a timeframe.', auth: 'bearer', query: overviewQuery },
  { method: 'get', path: '/api/analytics/cost-breakdown', tag: 'Analytics', summary: 'Cost per day and model.', auth: 'bearer', query: breakdownQuery },
  { method: 'get', path: '/api/logs', tag: 'Analytics', summary: "The caller's request logs (the operator's: everyone's), newest first, paged by cursor, filtered.", auth: 'bearer', query: logsQuery },
  { method: 'get', path: '/api/logs/{id}', tag: 'Analytics', summary: 'One request log with its attempts and warnings.', auth: 'bearer' },
  { method: 'get', path: '/api/analytics/model-distribution', tag: 'Analytics', summary: 'Requests per model and provider.', auth: 'bearer', query: distributionQuery },
];

/** A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), describing the input it accepts. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const ANTHROPIC_ERROR_REF = { $ref: '#/components/schemas/AnthropicError' };

function operation(doc: RouteDoc): Record<string, unknown> {
  const errors = { content: { 'application/json': { schema: doc.anthropicErrors ? ANTHROPIC_ERROR_REF : ERROR_REF } } };
  const op: Record<string, unknown> = {
    tags: [doc.tag],
    summary: doc.summary,
    operationId: `${doc.method}${doc.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    security: doc.auth === 'none' ? [] : [{ bearer: [] }, { apiKey: [] }],
    responses: {
      200: {
        description: doc.streams ? 'The answer as JSON, or as server-sent events when the body asks for a stream.' : 'OK',
        content: {
          'application/json': { schema: {} },
          ...(doc.streams ? { 'text/event-stream': { schema: { type: 'string' } } } : {}),
          ...(doc.path === '/metrics' ? { 'text/plain': { schema: { type: 'string' } } } : {}),
        },
      },
      ...(doc.body || doc.query ? { 400: { description: 'Invalid request (the offending parameter is named).', ...errors } } : {}),
      ...(doc.auth !== 'none' ? { 401: { description: 'Missing or wrong credentials.', ...errors } } : {}),
      ...(doc.auth === 'operator' ? { 403: { description: 'Only the operator may call this.', ...errors } } : {}),
      ...(doc.auth === 'bearer' && doc.path.startsWith('/v1/') ? { 429: { description: 'Rate or daily token limit reached (Retry-After says when to retry).', ...errors } } : {}),
    },
  };
  const params = [...doc.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (doc.query) {
    const shape = jsonSchema(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(shape.properties ?? {})) params.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema } as never);
  }
  if (params.length > 0) op.parameters = params;
  if (doc.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } };
  return op;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of ROUTE_DOCS) (paths[doc.path] ??= {})[doc.method] = operation(doc);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cerebro',
      version,
      description: 'An OpenAI-compatible LLM gateway: free-first routing with fallbacks, memory, tools, images, embeddings, an Anthropic-compatible entrance, users and keys, analytics.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [...new Set(ROUTE_DOCS.map((d) => d.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'CEREBRO_API_TOKEN, a gateway key (gw_…) or an account access token.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same credentials, as Anthropic-format clients send them.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'type', 'param', 'code'],
              properties: { message: { type: 'string' }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: ['string', 'null'] } },
            },
          },
        },
        AnthropicError: {
          type: 'object',
          required: ['type', 'error'],
          properties: {
            type: { const: 'error' },
            error: { type: 'object', required: ['type', 'message'], properties: { type: { type: 'string' }, message: { type: 'string' } } },
            request_id: { type: ['string', 'null'] },
          },
        },
      },
    },
  };
}
