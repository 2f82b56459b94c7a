/**
 * The deployment files, tested as far as this machine allows (it has no Docker engine): what the
 * Dockerfile copies exists, the Render blueprint names real settings, and the start command both use
 * works from the build output with production dependencies only.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { startEmulator } from '../../src/emulator/server.js';
import { NODE_FLAGS, START_COMMAND } from '../../src/runtime-flags.js';

const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

describe('Dockerfile', () => {
  it('copies only files that exist, builds with the build script and runs the built entry point as a non-root user', () => {
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    assert.ok(copies.length >= 5);
    for (const path of copies) assert.ok(existsSync(join(root, path)), `${path} is copied but does not exist`);
    assert.match(dockerfile, /RUN npm run build/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^HEALTHCHECK [^\n]*\\\n\s+CMD .*\/health/m);
    assert.match(dockerfile, /^VOLUME \["\/var\/lib\/cerebro"\]$/m);
    assert.match(dockerfile, /^FROM node:22-slim$/m);
    // The image starts the gateway as every start command does (src/runtime-flags.ts).
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.equal((JSON.parse(cmd ?? '[]') as string[]).join(' '), START_COMMAND);
    // Its built-in settings are valid ones.
    const env = Object.fromEntries([...dockerfile.matchAll(/^\s+(\w+)=(\S+?)(?: \\)?$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.equal(env.DATABASE_URL, 'sqlite:/var/lib/cerebro/cerebro.db');
    // Shutdown must finish inside docker stop's default 10 s, before its SIGKILL.
    assert.ok(loadConfig(env).shutdownGraceMs <= 8000);
  });
});

describe('npm start', () => {
  it('builds, then starts the gateway with the same command as the image and the blueprint', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.start, `npm run build --silent && ${START_COMMAND}`);
  });
});

describe('render.yaml', () => {
  const blueprint = parseYaml(readFileSync(join(root, 'render.yaml'), 'utf8')) as { services: Array<Record<string, any>> };
  const web = blueprint.services[0]!;

  it('is a web service with a health check, the same start command as the image, and a disk for SQLite', () => {
    assert.equal(web.type, 'web');
    assert.equal(web.healthCheckPath, '/health');
    assert.equal(web.startCommand, START_COMMAND);
    // With NODE_ENV=production set, npm would skip the devDependencies the build needs.
    const nodeEnv = web.envVars.find((v: { key: string }) => v.key === 'NODE_ENV')?.value;
    assert.match(web.buildCommand, nodeEnv === 'production' ? /^npm ci --include=dev && npm run build && npm prune --omit=dev$/ : /^npm ci && npm run build/);
    const dbUrl = web.envVars.find((v: { key: string }) => v.key === 'DATABASE_URL').value as string;
    assert.ok(dbUrl.startsWith(`sqlite:${web.disk.mountPath}/`), 'the SQLite file lives on the disk');
  });

  it('names only settings Cerebro reads, generates the secrets, and asks for the provider keys', () => {
    const keys = web.envVars.map((v: { key: string }) => v.key) as string[];
    const generated = web.envVars.filter((v: { generateValue?: boolean }) => v.generateValue).map((v: { key: string }) => v.key);
    assert.deepEqual(generated.sort(), ['CEREBRO_API_TOKEN', 'MASTER_ENCRYPTION_KEY', 'SECRET_KEY']);
    for (const k of ['OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY']) assert.ok(keys.includes(k), k);
    const documented = readFileSync(join(root, '.env.example'), 'utf8');
    for (const k of keys.filter((k) => !['NODE_VERSION', 'NODE_ENV'].includes(k))) assert.match(documented, new RegExp(`^#? ?${k}=`, 'm'), `${k} is not a Cerebro setting`);
    // Values like Render's generated ones (44 base64 characters) pass validation, and so do the set ones.
    const set = Object.fromEntries(web.envVars.filter((v: { value?: string }) => v.value !== undefined).map((v: { key: string; value: string }) => [v.key, v.value]));
    const config = loadConfig({ ...set, CEREBRO_API_TOKEN: 'a'.repeat(44), SECRET_KEY: 'b'.repeat(44), MASTER_ENCRYPTION_KEY: 'c'.repeat(44) });
    assert.equal(config.trustProxy, 2, "the client's address behind Cloudflare and Render's proxy");
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('the start command with production dependencies only', () => {
  it(
    'builds, starts from dist/src/main.js with only the production dependency tree, answers /health, signs up and logs in (argon2 and jose, loaded on first use), and on SIGTERM finishes a stream in flight before exiting',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cerebro-deploy-'));
      const emulator = await startEmulator();
      let child: ChildProcess | undefined;
      try {
        await promisify(execFile)(
          process.execPath,
          [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--tsBuildInfoFile', join(dir, 'tsbuildinfo')],
          { cwd: root, timeout: 150_000 },
        );
        cpSync(join(root, 'data/models.json'), join(dir, 'data/models.json'));
        cpSync(join(root, 'package.json'), join(dir, 'package.json'));
        // The production tree alone, linked from the installed one: a devDependency import would fail.
        const prod = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' }).trim().split('\n').slice(1);
        for (const path of prod) {
          const rel = relative(join(root, 'node_modules'), path);
          if (rel.startsWith('..') || rel.includes('/node_modules/')) continue;
          mkdirSync(dirname(join(dir, 'node_modules', rel)), { recursive: true });
          if (!existsSync(join(dir, 'node_modules', rel))) symlinkSync(path, join(dir, 'node_modules', rel));
        }
        assert.ok(!existsSync(join(dir, 'node_modules', 'tsx')) && !existsSync(join(dir, 'node_modules', 'openai')), 'dev dependencies left out');
        const port = await freePort();
        child = spawn(process.execPath, [...NODE_FLAGS, 'dist/src/main.js'], {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            PORT: String(port),
            HOST: '127.0.0.1',
            CEREBRO_API_TOKEN: 'deploy-test-token-0123456789',
            DATABASE_URL: `sqlite:${join(dir, 'cerebro.db')}`,
            LOG_LEVEL: 'warn',
            ALLOW_SIGNUP: 'true',
            OPENROUTER_API_KEY: 'sk-or-test',
            OPENROUTER_BASE_URL: emulator.baseUrls.openrouter,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        const running = child;
        running.stdout!.on('data', (d) => (output += String(d)));
        running.stderr!.on('data', (d) => (output += String(d)));
        const exited = new Promise<number | null>((resolve) => running.on('exit', (code) => resolve(code)));
        let healthy = false;
        for (let i = 0; i < 100 && !healthy; i++) {
          await new Promise((r) => setTimeout(r, 100));
          healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.ok,
            () => false,
          );
        }
        assert.ok(healthy, `no /health: ${output}`);
        // Accounts load argon2 and jose on first use: they must be in the production tree and work there.
        const account = { email: 'ana@example.com', password: 'Tomato-sunrise-4417' };
        const signup = await fetch(`http://127.0.0.1:${port}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
        assert.equal(signup.status, 201, await signup.clone().text());
        const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
        assert.equal(login.status, 200, await login.clone().text());
        const { access_token: accessToken } = (await login.json()) as { access_token: string };
        const me = await fetch(`http://127.0.0.1:${port}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { email: string }).email, account.email);
        // A slow stream is under way when the signal comes: it must reach its end, then the process exits.
        emulator.script.add('openrouter', [{ behavior: { type: 'ok', chunkDelayMs: 60 } }]);
        const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer deploy-test-token-0123456789', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] }),
        });
        assert.equal(res.status, 200);
        const reader = res.body!.getReader();
        let streamed = new TextDecoder().decode((await reader.read()).value);
        child.kill('SIGTERM');
        for (let r = await reader.read(); !r.done; r = await reader.read()) streamed += new TextDecoder().decode(r.value);
        assert.match(streamed, /data: \[DONE\]\n\n$/);
        assert.match(streamed, /six/);
        assert.equal(await exited, 0, output);
      } finally {
        child?.kill('SIGKILL');
        await emulator.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
