/**
 * Bring your own key: a user's provider key is checked for shape, proven with one cheap
 * authenticated upstream call, then stored encrypted. Only provider, status, the last four
 * characters and the verification time ever leave again.
 */
import { GatewayError, invalidRequest } from '../core/errors.js';
import type { Transport } from '../providers/http-transport.js';
import { UpstreamError } from '../providers/errors.js';
import { send } from '../providers/upstream-call.js';
import type { ProviderAdapter, ProviderId } from '../providers/types.js';
import { Cancellation } from '../core/cancellation.js';
import { providerKeyAad, seal } from '../security/secret-box.js';
import type { ProviderKeyRepository, ProviderKeyRow } from '../store/provider-key-repository.js';

export interface ProviderKeyView {
  /** The backend seed's name for a key in use: verified and stored. */
  is_active: boolean;
  provider: string;
  status: 'valid' | 'invalid';
  last4: string;
  last_verified_at: string | null;
  created_at: string;
}

export interface ProviderKeyServiceDeps {
  repo: ProviderKeyRepository;
  adapters: Record<ProviderId, ProviderAdapter>;
  baseUrls: Record<ProviderId, string>;
  transport: Transport;
  masterKey: string | undefined;
  now: () => number;
  verifyTimeoutMs: number;
  /** Called after a user's keys change (drops cached credentials). */
  onChange: (userId: string) => void;
  /** A verification call that could not be made: its details (addresses, proxies) go to the server log only. */
  onVerifyError?: (err: unknown, provider: ProviderId) => void;
}

export function providerKeyView(row: ProviderKeyRow): ProviderKeyView {
  return { provider: row.provider, status: row.status, is_active: row.status === 'valid', last4: row.last4, last_verified_at: row.last_verified_at, created_at: row.created_at };
}

const disabled = () =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'provider_keys_disabled',
    message: 'This gateway cannot store provider keys: its operator has not set MASTER_ENCRYPTION_KEY.',
  });

export class ProviderKeyService {
  constructor(private readonly deps: ProviderKeyServiceDeps) {}

  async add(userId: string, provider: string, apiKey: string): Promise<ProviderKeyView> {
    const adapter = (this.deps.adapters as Record<string, ProviderAdapter | undefined>)[provider];
    if (!adapter) throw invalidRequest(`Invalid value for 'provider': must be one of ${Object.keys(this.deps.adapters).join(', ')}`, 'provider');
    const master = this.deps.masterKey;
    if (master === undefined) throw disabled();
    const key = apiKey.trim();
    if (!adapter.keyPattern.test(key)) throw invalidRequest(`Invalid value for 'api_key': this is not the shape of a ${provider} API key`, 'api_key', 'invalid_key_format');
    await this.verify(adapter, key);
    const now = new Date(this.deps.now()).toISOString();
    const row: ProviderKeyRow = {
      user_id: userId,
      provider,
      ciphertext: seal(master, key, providerKeyAad(userId, provider)),
      last4: key.slice(-4),
      status: 'valid',
      created_at: now,
      last_verified_at: now,
    };
    await this.deps.repo.upsert(row);
    this.deps.onChange(userId);
    return providerKeyView(row);
  }

  async list(userId: string): Promise<ProviderKeyView[]> {
    return (await this.deps.repo.listByUser(userId)).map(providerKeyView);
  }

  async remove(userId: string, provider: string): Promise<boolean> {
    const removed = await this.deps.repo.delete(userId, provider);
    this.deps.onChange(userId);
    return removed;
  }

  /** One authenticated GET: 2xx proves the key; 401/403 refuses it; anything else is "try later". */
  private async verify(adapter: ProviderAdapter, apiKey: string): Promise<void> {
    const req = adapter.buildKeyCheck({ apiKey, baseUrl: this.deps.baseUrls[adapter.id] });
    const cancel = new Cancellation();
    const timer = setTimeout(() => cancel.abort(new Error('timed out')), this.deps.verifyTimeoutMs);
    let status: number;
    try {
      const res = await send(this.deps.transport, req, adapter, { signal: cancel, headersTimeoutMs: this.deps.verifyTimeoutMs, bodyTimeoutMs: this.deps.verifyTimeoutMs });
      await res.body.dump();
      return;
    } catch (err) {
      // The provider answered with an error status: what it means for the key is decided below.
      if (err instanceof UpstreamError && err.status !== undefined) status = err.status;
      else {
        this.deps.onVerifyError?.(err, adapter.id);
        throw new GatewayError({ status: 502, type: 'upstream_error', code: 'key_verification_failed', message: `Could not reach ${adapter.id} to verify the key; it was not stored. Try again.` });
      }
    } finally {
      clearTimeout(timer);
    }
    if (status === 401 || status === 403 || status === 400) {
      throw new GatewayError({
        status: 400,
        type: 'invalid_request_error',
        code: 'invalid_provider_key',
        param: 'api_key',
        message: `${adapter.id} refused this key (HTTP ${status}); it was not stored.`,
      });
    }
    throw new GatewayError({ status: 502, type: 'upstream_error', code: 'key_verification_failed', message: `${adapter.id} answered HTTP ${status} while verifying the key; try again.` });
  }
}
