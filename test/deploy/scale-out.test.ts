/**
 * The scaled-out deployment, checked without a container engine (images cannot be pulled here):
 * docker-compose.yml and the Render variant give each service what it needs, and every instance a
 * configuration the gateway accepts. test/integration/shared-state.test.ts runs the same topology
 * (several instances, one Postgres, one Redis) as processes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
type Loose = any;
const read = (path: string): Loose => parseYaml(readFileSync(join(root, path), 'utf8'), { merge: true });
/** Compose's `${NAME:?message}` and `${NAME:-default}`, with the values a .env would give. */
const interpolate = (value: string, env: Record<string, string>) => value.replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_, name: string, fallback?: string) => env[name] ?? fallback ?? '');

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');
  const services = compose.services as Record<string, Loose>;
  const gateways = Object.keys(services).filter((name) => /^cerebro-\d+$/.test(name));
  const dotEnv = { CEREBRO_API_TOKEN: 'compose-operator-token-0123456789', SECRET_KEY: 'k'.repeat(32), MASTER_ENCRYPTION_KEY: 'm'.repeat(32) };

  it('runs Postgres and Redis with health checks, two or more gateways, and a proxy in front', () => {
    assert.match(services.postgres.image, /^postgres:\d+/);
    assert.ok(services.postgres.healthcheck.test.join(' ').includes('pg_isready'));
    assert.match(services.redis.image, /^redis:7/);
    assert.ok(services.redis.healthcheck.test.includes('ping'));
    assert.ok(gateways.length >= 2, `${gateways.length} gateway instances`);
    assert.match(services.proxy.image, /^caddy:2/);
    assert.deepEqual(services.proxy.ports, ['8080:80']);
    for (const name of gateways) assert.equal(services.proxy.depends_on[name].condition, 'service_healthy', `the proxy waits for ${name}`);
  });

  it('gives every gateway the same shared settings, a configuration the gateway accepts, and a health check', () => {
    const envs = gateways.map((name) => services[name].environment as Record<string, string>);
    for (const [i, name] of gateways.entries()) {
      const s = services[name];
      assert.equal(s.build, '.', `${name} is built from this repository's Dockerfile`);
      assert.equal(s.depends_on.postgres.condition, 'service_healthy');
      assert.equal(s.depends_on.redis.condition, 'service_healthy');
      assert.match(s.healthcheck.test.join(' '), /127\.0\.0\.1:8000\/health/);
      const env = Object.fromEntries(Object.entries(envs[i]!).map(([k, v]) => [k, interpolate(String(v), dotEnv)]));
      assert.match(env.DATABASE_URL!, /^postgres:\/\/cerebro:.+@postgres:5432\/cerebro$/);
      assert.equal(env.REDIS_URL, 'redis://redis:6379');
      assert.equal(env.TRUST_PROXY, '1', 'one proxy in front');
      const config = loadConfig({ ...env, PORT: '8000' });
      assert.equal(config.redis?.url, 'redis://redis:6379');
      assert.equal(config.cache.backend, 'redis');
    }
    // Secrets every instance must share: the same references everywhere.
    for (const key of ['CEREBRO_API_TOKEN', 'SECRET_KEY', 'MASTER_ENCRYPTION_KEY', 'DATABASE_URL', 'REDIS_URL'])
      assert.equal(new Set(envs.map((e) => e[key])).size, 1, `${key} is the same on every instance`);
    assert.match(envs[0]!.SECRET_KEY!, /\$\{SECRET_KEY:\?/, 'required from .env, never a default');
  });

  it("proxies to every gateway on the image's port, skipping one whose /health fails, without buffering streams", () => {
    const mount = (services.proxy.volumes as string[]).find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'))!;
    const caddyfile = readFileSync(join(root, mount.split(':')[0]!), 'utf8');
    for (const name of gateways) assert.match(caddyfile, new RegExp(`\\b${name}:8000\\b`));
    assert.match(caddyfile, /health_uri \/health/);
    assert.match(caddyfile, /flush_interval -1/);
    assert.match(readFileSync(join(root, 'Dockerfile'), 'utf8'), /PORT=8000/);
  });
});

describe('deploy/render-scaled.yaml', () => {
  const blueprint = read('deploy/render-scaled.yaml');
  const web = blueprint.services.find((s: Loose) => s.type === 'web');
  const kv = blueprint.services.find((s: Loose) => s.type === 'keyvalue');

  it('runs several instances on Postgres and Key Value, with no disk', () => {
    assert.ok(web.numInstances >= 2);
    assert.equal(web.disk, undefined, 'a disk would pin the service to one instance');
    const vars = new Map<string, Loose>(web.envVars.map((v: Loose) => [v.key, v]));
    assert.deepEqual(vars.get('DATABASE_URL'), { key: 'DATABASE_URL', sync: false });
    assert.deepEqual(vars.get('REDIS_URL').fromService, { type: 'keyvalue', name: kv.name, property: 'connectionString' });
    assert.equal(kv.maxmemoryPolicy, 'volatile-lru');
    assert.deepEqual(kv.ipAllowList, []);
    assert.equal(web.startCommand, read('render.yaml').services[0].startCommand, 'started as the one-instance blueprint starts it');
    // Every literal setting is one the gateway accepts.
    const literal = Object.fromEntries(web.envVars.filter((v: Loose) => v.value !== undefined).map((v: Loose) => [v.key, String(v.value)]));
    const config = loadConfig({ ...literal, DATABASE_URL: 'postgres://u@db.example.supabase.co:5432/postgres', REDIS_URL: 'redis://red-abc:6379' });
    assert.equal(config.cache.backend, 'redis');
    assert.ok(existsSync(join(root, 'deploy/render-scaled.yaml')));
  });
});
