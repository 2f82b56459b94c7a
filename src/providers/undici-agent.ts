/**
 * undici's Agent class alone. The package's index also loads fetch, WebSocket, the HTTP caches and
 * the mocks: about 9 MB of resident memory that the gateway never uses (a bare Node measured 60.6 MB
 * after importing the index, 51.9 MB after this file). undici is pinned to one version in
 * package.json, and every test that calls an upstream loads this path, so a release that moved it
 * could not land unnoticed. The rest of undici (its `request()`) is loaded where it is needed.
 */
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';

export const Agent = createRequire(import.meta.url)('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export type Agent = UndiciAgent;
