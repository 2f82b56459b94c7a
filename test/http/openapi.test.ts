/** /openapi.json is a valid OpenAPI 3.1 document that describes every route the app registers; /docs serves it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { registeredRoutes } from '../../src/http/app.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('OpenAPI document and /docs', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  it('is valid OpenAPI 3.1, served without a token', async () => {
    const res = await fetch(`${s.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it('describes every route the app serves (and no route it does not)', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const served = new Set(
      registeredRoutes(s.gateway.app)
        .filter((r) => !r.url.startsWith('/docs') && !r.url.startsWith('/assets/') && r.url !== '/' && r.method !== 'HEAD' && r.method !== 'OPTIONS')
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
    );
    assert.deepEqual(
      [...served].filter((r) => !documented.has(r)),
      [],
      'routes missing from the document',
    );
    assert.deepEqual(
      [...documented].filter((r) => !served.has(r)),
      [],
      'documented routes the app does not serve',
    );
    assert.ok(served.size >= 25);
  });

  it('takes request bodies from the zod schemas the routes validate with', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> } }>>;
    };
    const chat = doc.paths['/v1/chat/completions']!.post!.requestBody!.content['application/json']!.schema;
    for (const field of ['messages', 'tools', 'tool_choice', 'response_format', 'session_id', 'priority', 'route']) assert.ok(chat.properties?.[field], field);
    assert.deepEqual(chat.required, ['messages']);
    const messages = doc.paths['/v1/messages']!.post!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(messages.required?.sort(), ['max_tokens', 'messages', 'model']);
  });

  it('serves an interactive page at /docs', async () => {
    const page = await fetch(`${s.url}/docs`, { redirect: 'follow' });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui/i);
  });
});
