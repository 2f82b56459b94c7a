#!/usr/bin/env node
/**
 * `cerebro`: the gateway's command line. `cerebro <command> --help` says what each one takes.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { GatewayError } from '../core/errors.js';
import { createKey, createUser, listKeys, migrate, revokeKey } from './admin.js';
import { parseScopes, SCOPES, type Scope } from '../accounts/scopes.js';
import { generatePassword } from '../accounts/accounts.js';

const USAGE = `Usage: cerebro <command> [options]

Commands:
  start                     Run the gateway (configured by the environment and .env).
  migrate                   Apply pending database migrations, then exit.
  users create              Create a user account.
  keys create|list|revoke   Manage a user's gateway keys (gw_…).
  demo                      Play the offline demo against the built-in provider emulator.
  emulator                  Run the provider emulator on its own.

Every command reads the same environment as the server (DATABASE_URL and the rest; see .env.example).
Run "cerebro <command> --help" for its options.
`;

const HELP: Record<string, string> = {
  start: 'Usage: cerebro start\n\nRuns the gateway on HOST:PORT (default 0.0.0.0:8000) with the database of DATABASE_URL. Stops gracefully on SIGTERM/SIGINT.\n',
  migrate: 'Usage: cerebro migrate\n\nApplies the database migrations not yet applied (the server also does this at start) and lists them.\n',
  users:
    'Usage: cerebro users create --email <e-mail> [--password <password>] [--name <name>] [--json]\n\nCreates a user account, whether or not public sign-up (ALLOW_SIGNUP) is open. The password comes from --password, or (kept out of the shell history) from CEREBRO_USER_PASSWORD; with neither, one is generated and printed once.\n',
  keys: [
    'Usage:',
    '  cerebro keys create --user <e-mail|id> [--name <name>] [--rate-limit <per minute>] [--scopes chat,read[,admin]] [--json]',
    '  cerebro keys list   --user <e-mail|id> [--json]',
    '  cerebro keys revoke --user <e-mail|id> <key id>',
    '',
    'Gateway keys (gw_…) authenticate a user on /v1. The whole key is printed once, at creation; only its hash is stored.',
    '',
  ].join('\n'),
  demo: 'Usage: cerebro demo\n\nStarts the provider emulator and a throw-away gateway, and plays scenarios (free tier, fallbacks, memory, routing, cache), printing what happened. Needs nothing else.\n',
};

let loaded: Config | undefined;
/** The environment, with .env read first when present (as the server does). */
function config(): Config {
  if (loaded) return loaded;
  if (existsSync('.env')) process.loadEnvFile('.env');
  loaded = loadConfig(process.env);
  // Admin commands write to this database: say which, so a wrong directory is obvious.
  process.stderr.write(`database: ${describeDatabase(loaded.databaseUrl)}\n`);
  return loaded;
}

/** The database URL without its password. */
const describeDatabase = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** Argument parsing whose mistakes are told as usage errors (exit 2), not stack traces. */
function parse<T>(help: string, parseThem: () => T): T {
  try {
    return parseThem();
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${help}`);
  }
}

const print = (value: unknown, json: boolean, text: string) => process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    if (command === 'emulator') {
      const { EMULATOR_USAGE } = await import('../emulator/main.js');
      process.stdout.write(EMULATOR_USAGE);
    } else process.stdout.write(HELP[command] ?? USAGE);
    return;
  }
  switch (command) {
    case 'start': {
      // Everything is set by the environment (HOST, PORT, …): options would be silently ignored.
      parse(HELP.start!, () => parseArgs({ args: rest, options: {} }));
      const { runServer } = await import('../server.js');
      return runServer();
    }
    case 'migrate': {
      parse(HELP.migrate!, () => parseArgs({ args: rest, options: {} }));
      const applied = await migrate(config());
      process.stdout.write(applied.length > 0 ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
      return;
    }
    case 'demo': {
      parse(HELP.demo!, () => parseArgs({ args: rest, options: {} }));
      const { runDemo } = await import('../demo/main.js');
      return runDemo();
    }
    case 'emulator': {
      const { runEmulator, EMULATOR_USAGE } = await import('../emulator/main.js');
      return runEmulator(rest).catch((err: unknown) => {
        throw (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? new UsageError(`${(err as Error).message}\n\n${EMULATOR_USAGE}`) : err;
      });
    }
    case 'users':
      return users(rest);
    case 'keys':
      return keys(rest);
    default:
      throw new UsageError(`Unknown command '${command}'.\n\n${USAGE}`);
  }
}

class UsageError extends Error {}

async function users(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(HELP.users!);
  const { values } = parse(HELP.users!, () =>
    parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean', default: false } } }),
  );
  if (!values.email) throw new UsageError(`--email is required.\n\n${HELP.users}`);
  const cfg = config(); // reads .env, which may hold CEREBRO_USER_PASSWORD
  let password = values.password ?? process.env.CEREBRO_USER_PASSWORD;
  const generated = password === undefined;
  if (password === undefined) {
    password = generatePassword();
  }
  const user = await createUser(cfg, { email: values.email, password, ...(values.name ? { name: values.name } : {}) });
  print({ ...user, ...(generated ? { password } : {}) }, values.json, `Created user ${user.email} (${user.id}).${generated ? `\nGenerated password (shown once): ${password}` : ''}`);
}

async function keys(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(HELP.keys!, () =>
    parseArgs({
      args: rest,
      allowPositionals: true,
      options: { user: { type: 'string' }, name: { type: 'string' }, 'rate-limit': { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean', default: false } },
    }),
  );
  if (!values.user || !['create', 'list', 'revoke'].includes(sub ?? '')) throw new UsageError(HELP.keys!);
  const cfg = config();
  if (sub === 'create') {
    const rate = values['rate-limit'];
    if (rate !== undefined && !/^\d+$/.test(rate)) throw new UsageError('--rate-limit must be a whole number of requests per minute.');
    const scopes = values.scopes?.split(',').map((s) => s.trim());
    if (scopes !== undefined && (scopes.length === 0 || scopes.some((s) => !(SCOPES as readonly string[]).includes(s))))
      throw new UsageError(`--scopes takes a comma-separated list of ${SCOPES.join(', ')}.`);
    const issued = await createKey(cfg, {
      user: values.user,
      name: values.name ?? 'cli',
      ...(rate !== undefined ? { rateLimit: Number(rate) } : {}),
      ...(scopes ? { scopes: scopes as Scope[] } : {}),
    });
    print(
      { id: issued.row.id, key: issued.key, name: issued.row.name, rate_limit: issued.row.rate_limit, scopes: parseScopes(issued.row.scopes) },
      values.json,
      `Created gateway key ${issued.row.id} (${issued.row.name}, ${issued.row.rate_limit} requests/minute, scopes ${issued.row.scopes}).\nKey (shown once): ${issued.key}`,
    );
  } else if (sub === 'list') {
    const rows = await listKeys(cfg, values.user);
    const view = rows.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.key_prefix,
      rate_limit: k.rate_limit,
      scopes: parseScopes(k.scopes),
      created_at: k.created_at,
      last_used_at: k.last_used_at,
      revoked_at: k.revoked_at,
    }));
    print(
      view,
      values.json,
      view.length === 0 ? 'No gateway keys.' : view.map((k) => `${k.id}  ${k.prefix}…  ${k.name}  ${k.rate_limit}/min  ${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'}`).join('\n'),
    );
  } else {
    const id = positionals[0];
    if (!id) throw new UsageError(HELP.keys!);
    const revoked = await revokeKey(cfg, values.user, id);
    process.stdout.write(`Revoked gateway key ${revoked.id}.\n`);
  }
}

run(process.argv.slice(2)).then(
  // A one-shot command is done: nothing it opened may keep the process alive (start and emulator keep serving).
  () => {
    const command = process.argv[2];
    if (command !== 'start' && command !== 'emulator') process.exit(0);
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof GatewayError) process.stderr.write(`cerebro: ${err.message}\n`);
    else process.stderr.write(`cerebro: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
