/** Gateway keys (create, shown once with a copy button, revoke with a confirmation) and provider keys (verified, stored, removed). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Confirm, CopyButton, ErrorNote, Loading } from '../components/ui';
import { BudgetPeriodSelect, useBudgetText } from '../components/budget';
import { formatNumber, formatTime } from '../format';
import { useI18n } from '../i18n';
import type { GatewayKey, ProviderKey } from '../types';

const PROVIDERS = ['openrouter', 'gemini', 'anthropic', 'openai'];

export function Keys() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">{t('keys.title')}</h1>
      <GatewayKeys />
      <ProviderKeys />
    </section>
  );
}

function GatewayKeys() {
  const { t, locale } = useI18n();
  const budgetText = useBudgetText();
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['gateway-keys'], queryFn: () => api<{ keys: GatewayKey[] }>('GET', '/api/keys/gateway') });
  const [created, setCreated] = useState<string>();
  const [revoking, setRevoking] = useState<GatewayKey>();
  const create = useMutation({
    mutationFn: (body: { name: string; rate_limit?: number; max_budget_usd?: number; budget_period?: string | null }) => api<{ key: string }>('POST', '/api/keys/gateway', body),
    onSuccess: (res) => {
      setCreated(res.key);
      void client.invalidateQueries({ queryKey: ['gateway-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/keys/gateway/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['gateway-keys'] }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const rate = Number(form.get('rate_limit'));
    const budget = String(form.get('max_budget_usd') ?? '');
    const period = String(form.get('budget_period') ?? '');
    create.mutate({
      name: String(form.get('name')),
      ...(rate > 0 ? { rate_limit: rate } : {}),
      ...(budget !== '' ? { max_budget_usd: Number(budget), budget_period: period === '' ? null : period } : {}),
    });
    e.currentTarget.reset();
  };
  return (
    <section className="card" aria-labelledby="gateway-keys-title">
      <h2 id="gateway-keys-title">{t('keys.gateway')}</h2>
      <p className="muted">{t('keys.gatewayHelp')}</p>
      <form className="row wrap" onSubmit={submit}>
        <label>
          {t('keys.name')}
          <input name="name" required maxLength={100} />
        </label>
        <label>
          {t('keys.rateLimit')}
          <input name="rate_limit" type="number" min={1} max={100000} aria-describedby="rate-help" />
        </label>
        <label>
          {t('keys.budget')}
          <input name="max_budget_usd" type="number" min={0} step="any" aria-describedby="rate-help" />
        </label>
        <BudgetPeriodSelect defaultValue="monthly" />
        <button type="submit" className="primary" disabled={create.isPending}>
          {t('keys.create')}
        </button>
      </form>
      <p id="rate-help" className="muted small">
        {t('keys.rateLimitHelp')}
      </p>
      {create.isError ? <ErrorNote error={create.error} /> : null}
      {created ? (
        <div className="note success" role="status">
          <p>
            <strong>{t('keys.createdTitle')}</strong> — {t('keys.createdHelp')}
          </p>
          <div className="row">
            <label className="grow">
              <span className="visually-hidden">{t('keys.createdTitle')}</span>
              <input id="new-key" className="mono" readOnly value={created} onFocus={(e) => e.currentTarget.select()} />
            </label>
            <CopyButton text={created} targetId="new-key" />
            <button type="button" onClick={() => setCreated(undefined)}>
              {t('common.close')}
            </button>
          </div>
        </div>
      ) : null}
      {revoke.isError ? <ErrorNote error={revoke.error} /> : null}
      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorNote error={keys.error} />
      ) : keys.data.keys.length === 0 ? (
        <p className="muted">{t('keys.none')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col.name')}</th>
                <th scope="col">{t('col.key')}</th>
                <th scope="col" className="num">
                  {t('col.rateLimit')}
                </th>
                <th scope="col">{t('col.budget')}</th>
                <th scope="col">{t('col.created')}</th>
                <th scope="col">{t('col.lastUsed')}</th>
                <th scope="col">{t('col.state')}</th>
                <th scope="col">{t('col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td className="mono">{k.prefix}…</td>
                  <td className="num">{formatNumber(locale, k.rate_limit)}</td>
                  <td>{k.max_budget_usd === null ? t('common.none') : budgetText(k.spend_usd ?? 0, k.max_budget_usd, k.budget_period)}</td>
                  <td>{formatTime(locale, k.created_at)}</td>
                  <td>{k.last_used_at ? formatTime(locale, k.last_used_at) : t('keys.never')}</td>
                  <td>{k.is_active ? t('keys.active') : t('keys.revoked')}</td>
                  <td>
                    {k.is_active ? (
                      <button type="button" className="danger" onClick={() => setRevoking(k)} aria-label={`${t('keys.revoke')} ${k.name}`}>
                        {t('keys.revoke')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Confirm
        open={revoking !== undefined}
        message={t('keys.revokeConfirm', { name: revoking?.name ?? '' })}
        confirmLabel={t('keys.revoke')}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => setRevoking(undefined)}
      />
    </section>
  );
}

function ProviderKeys() {
  const { t, locale } = useI18n();
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['provider-keys'], queryFn: () => api<{ keys: ProviderKey[] }>('GET', '/api/keys/providers') });
  const [removing, setRemoving] = useState<string>();
  const add = useMutation({
    mutationFn: (body: { provider: string; api_key: string }) => api('POST', '/api/keys/providers', body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['provider-keys'] }),
  });
  const remove = useMutation({
    mutationFn: (provider: string) => api('DELETE', `/api/keys/providers/${provider}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['provider-keys'] }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    add.mutate({ provider: String(form.get('provider')), api_key: String(form.get('api_key')) });
    e.currentTarget.reset();
  };
  return (
    <section className="card" aria-labelledby="provider-keys-title">
      <h2 id="provider-keys-title">{t('keys.providers')}</h2>
      <p className="muted">{t('keys.providersHelp')}</p>
      <form className="row wrap" onSubmit={submit}>
        <label>
          {t('keys.provider')}
          <select name="provider">
            {PROVIDERS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('keys.apiKey')}
          <input name="api_key" type="password" autoComplete="off" required maxLength={500} />
        </label>
        <button type="submit" className="primary" disabled={add.isPending}>
          {t('keys.add')}
        </button>
      </form>
      {add.isError ? <ErrorNote error={add.error} /> : null}
      {add.isSuccess ? (
        <p className="note success" role="status">
          {t('keys.added')}
        </p>
      ) : null}
      {keys.data && keys.data.keys.length > 0 ? (
        <ul className="plain">
          {keys.data.keys.map((k) => (
            <li key={k.provider} className="row between">
              <span>
                <strong>{k.provider}</strong> <span className="mono">{t('keys.ending', { last4: k.last4 })}</span> · {formatTime(locale, k.created_at)} ·{' '}
                {k.is_active ? t('keys.active') : t('keys.revoked')}
              </span>
              <button type="button" className="danger" onClick={() => setRemoving(k.provider)}>
                {t('keys.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : keys.data ? (
        <p className="muted">{t('keys.none')}</p>
      ) : null}
      <Confirm
        open={removing !== undefined}
        message={t('keys.removeConfirm', { provider: removing ?? '' })}
        confirmLabel={t('keys.remove')}
        onConfirm={() => removing && remove.mutate(removing)}
        onClose={() => setRemoving(undefined)}
      />
    </section>
  );
}
