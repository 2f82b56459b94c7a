/** The `cerebro` command: help for every command, migrations, users and gateway keys that then work. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStack } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'cerebro-cli-'));
const DATABASE_URL = `sqlite:${join(dir, 'cli.db')}`;

const ROOT = process.cwd();

function cerebro(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Run from another directory: the command must not depend on where it is started.
    execFile(
      process.execPath,
      ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/cli/main.ts'), ...args],
      { cwd: dir, env: { PATH: process.env.PATH, DATABASE_URL, CEREBRO_API_TOKEN: 'cli-test-token-0123456789' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('cerebro (the command line)', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its usage, and every command has --help', async () => {
    const usage = await cerebro('--help');
    assert.equal(usage.code, 0);
    for (const command of ['start', 'migrate', 'users create', 'keys create|list|revoke', 'demo', 'emulator']) assert.match(usage.stdout, new RegExp(command.replace('|', '\\|')));
    for (const command of ['start', 'migrate', 'users', 'keys', 'demo', 'emulator']) {
      const help = await cerebro(command, '--help');
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, new RegExp(`Usage:[\\s\\S]*cerebro ${command}`), command);
    }
  });

  it('refuses an unknown command or missing options with exit code 2 and the usage', async () => {
    const unknown = await cerebro('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command 'frobnicate'/);
    const missing = await cerebro('keys', 'create');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--user/);
    const unknownOption = await cerebro('keys', 'list', '--user', 'a@b.c', '--bogus');
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /Unknown option '--bogus'/);
    // Settings come from the environment: an option `start` would ignore is refused instead.
    const ignored = await cerebro('start', '--port', '9000');
    assert.equal(ignored.code, 2);
  });

  it('migrates, then says the database is up to date', async () => {
    const first = await cerebro('migrate');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Applied: .*0001/);
    assert.match(first.stderr, new RegExp(`database: ${DATABASE_URL.replace(/[/.]/g, '\\$&')}`));
    const again = await cerebro('migrate');
    assert.match(again.stdout, /up to date/);
  });

  describe('users and keys', () => {
    let key: string;
    let keyId: string;
    before(async () => {
      const user = await cerebro('users', 'create', '--email', 'Ana@Example.com', '--name', 'Ana', '--json');
      assert.equal(user.code, 0, user.stderr);
      const created = JSON.parse(user.stdout) as { id: string; email: string; password: string };
      assert.equal(created.email, 'ana@example.com');
      assert.ok(created.password.length >= 20, 'a generated password is shown once');
      const issued = await cerebro('keys', 'create', '--user', 'ana@example.com', '--name', 'laptop', '--rate-limit', '30', '--json');
      assert.equal(issued.code, 0, issued.stderr);
      ({ key, id: keyId } = JSON.parse(issued.stdout) as { key: string; id: string });
    });

    it('a created key authenticates on the gateway, lists, and stops working once revoked', async () => {
      assert.match(key, /^gw_[A-Za-z0-9]{32}$/);
      const listed = await cerebro('keys', 'list', '--user', 'ana@example.com');
      assert.match(listed.stdout, new RegExp(`${keyId} .* laptop .* 30/min .* active`));
      const s = await startStack({ DATABASE_URL }, { keepDatabase: true });
      try {
        const ok = await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(ok.status, 200);
        const revoked = await cerebro('keys', 'revoke', '--user', 'ana@example.com', keyId);
        assert.equal(revoked.code, 0, revoked.stderr);
        assert.match((await cerebro('keys', 'list', '--user', 'ana@example.com')).stdout, /revoked/);
      } finally {
        await s.close();
      }
      const s2 = await startStack({ DATABASE_URL }, { keepDatabase: true });
      try {
        const refused = await fetch(`${s2.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(refused.status, 401);
      } finally {
        await s2.close();
      }
    });

    it("creates keys with scopes, and gives 'admin' only to the operator's own keys", async () => {
      const readOnly = await cerebro('keys', 'create', '--user', 'ana@example.com', '--scopes', 'read', '--json');
      assert.equal(readOnly.code, 0, readOnly.stderr);
      assert.deepEqual((JSON.parse(readOnly.stdout) as { scopes: string[] }).scopes, ['read']);
      const refused = await cerebro('keys', 'create', '--user', 'ana@example.com', '--scopes', 'chat,admin');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /admin/);
      assert.equal((await cerebro('keys', 'create', '--user', 'ana@example.com', '--scopes', 'root')).code, 2);
      const admin = await cerebro('keys', 'create', '--user', 'operator', '--scopes', 'chat,read,admin', '--json');
      assert.equal(admin.code, 0, admin.stderr);
      assert.deepEqual((JSON.parse(admin.stdout) as { scopes: string[] }).scopes, ['chat', 'read', 'admin']);
    });

    it('names a user it cannot find', async () => {
      const res = await cerebro('keys', 'list', '--user', 'nobody@example.com');
      assert.equal(res.code, 1);
      assert.match(res.stderr, /No user 'nobody@example.com'/);
    });
  });
});
