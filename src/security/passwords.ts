/**
 * Account passwords: argon2id (OWASP's first choice), and a strength check that refuses what a
 * dictionary attack tries first. The PHC string carries its own salt and parameters.
 */
import { ConcurrencyLimit } from '../concurrency-limit.js';

/**
 * argon2 (a native addon) is loaded on the first sign-up or log-in: a gateway used only with its
 * operator token or gateway keys never loads it.
 */
let argon2: Promise<typeof import('argon2')> | undefined;
const loadArgon2 = () => (argon2 ??= import('argon2'));

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane (a login costs tens of ms, not hundreds). */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** The most common passwords long enough to pass the length rule; a leak list would be longer. */
const COMMON = new Set([
  '1234567890',
  '0123456789',
  'qwertyuiop',
  'password123',
  'password1234',
  'iloveyou123',
  'contraseña',
  'contrasena123',
  '1q2w3e4r5t',
  'qwerty12345',
  'abcdefghij',
  'letmein123',
  'welcome123',
  'administrator',
]);

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordWeakness(password: string, email: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is one of the most common passwords';
  if (new Set(password).size < 5) return 'repeats too few different characters';
  const local = email.split('@')[0] ?? '';
  if (local.length >= 4 && lower.includes(local.toLowerCase())) return 'must not contain your e-mail name';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 2 && password.length < 16) return 'needs two kinds of characters (letters, digits, symbols), or 16+ characters';
  return undefined;
}

/**
 * At most two argon2 computations at once: they run on libuv's pool of four threads, which upstream
 * DNS look-ups and file work share, so a flood of log-ins cannot stall the gateway's other work.
 * Callers past the queue's length are refused rather than left waiting.
 */
const MAX_CONCURRENT = 2;
const MAX_QUEUED = 64;

export class PasswordWorkBusyError extends Error {
  constructor() {
    super('too many sign-ins at once');
    this.name = 'PasswordWorkBusyError';
  }
}

const argonSlots = new ConcurrencyLimit(MAX_CONCURRENT, MAX_QUEUED, () => new PasswordWorkBusyError());
const limited = <T>(work: () => Promise<T>): Promise<T> => argonSlots.run(work);

export function hashPassword(password: string): Promise<string> {
  return limited(async () => {
    const { hash, argon2id } = await loadArgon2();
    return hash(password, { ...OPTIONS, type: argon2id });
  });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return limited(async () => {
    // Outside the try: a module that failed to load is a server fault, not a wrong password.
    const { verify } = await loadArgon2();
    try {
      return await verify(hash, password);
    } catch {
      return false;
    }
  });
}

/**
 * A real hash to verify against when the e-mail is unknown, so a failed login takes as long
 * whether or not the account exists.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy password, never valid for any account');
  return decoy;
}
