/** Shared between the benchmark's orchestrator and its child servers. */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';
export const PORTKEY_VERSION = '1.15.2';
/** Pins that make Portkey 1.15.2's streaming work (Portkey issue #1389: `TypeError: immutable`). */
export const PORTKEY_OVERRIDES = { hono: '4.9.7', '@hono/node-server': '1.13.5' };
