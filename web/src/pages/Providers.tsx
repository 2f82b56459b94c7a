/** The operator's view: each target's circuit, success, latency and cool-down; the free tier's count; the cache; the users. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { Confirm, ErrorNote, Loading } from '../components/ui';
import { formatMs, formatNumber, formatPercent, formatTime } from '../format';
import { useI18n, valueLabel } from '../i18n';
import type { AdminUser, CacheStats, ProviderHealth } from '../types';

export function Providers() {
  const { t, locale } = useI18n();
  const health = useQuery({ queryKey: ['provider-health'], queryFn: () => api<ProviderHealth>('GET', '/api/health/providers'), refetchInterval: 10_000 });
  const cache = useQuery({ queryKey: ['cache'], queryFn: () => api<CacheStats>('GET', '/api/cache') });
  const h = health.data;
  return (
    <section aria-labelledby="providers-title">
      <h1 id="providers-title">{t('providers.title')}</h1>
      {health.isError ? <ErrorNote error={health.error} /> : null}
      {!h ? (
        health.isPending ? (
          <Loading />
        ) : null
      ) : (
        <>
          <section className="card" aria-labelledby="targets-title">
            <h2 id="targets-title">{t('providers.targets')}</h2>
            {h.targets.length === 0 ? (
              <p className="muted">{t('providers.noTargets')}</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('col.provider')}</th>
                      <th scope="col">{t('col.model')}</th>
                      <th scope="col">{t('col.circuit')}</th>
                      <th scope="col">{t('col.available')}</th>
                      <th scope="col" className="num">
                        {t('col.successRate')}
                      </th>
                      <th scope="col" className="num">
                        {t('col.latency')}
                      </th>
                      <th scope="col">{t('col.coolingUntil')}</th>
                      <th scope="col">{t('col.lastError')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {h.targets.map((x) => (
                      <tr key={`${x.provider}/${x.model}`}>
                        <td>{x.provider}</td>
                        <td className="mono">{x.model}</td>
                        <td>
                          <span className={`badge ${x.circuit === 'closed' ? 'ok' : 'error'}`}>{valueLabel(t, x.circuit)}</span>
                        </td>
                        <td>{x.available ? t('common.yes') : `${t('common.no')}${x.reason ? ` (${x.reason})` : ''}`}</td>
                        <td className="num">
                          {formatPercent(locale, x.success_rate * 100)} <span className="muted small">n={x.samples}</span>
                        </td>
                        <td className="num">{formatMs(locale, x.latency_ms)}</td>
                        <td>{x.cooling_until ? formatTime(locale, x.cooling_until) : t('common.none')}</td>
                        <td className="small">{x.last_error ?? t('common.none')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <div className="grid two">
            <section className="card" aria-labelledby="free-title">
              <h2 id="free-title">{t('providers.freeTier')}</h2>
              <p>
                {t('providers.freeTierUse', {
                  minute: formatNumber(locale, h.openrouter_free_tier.requests_this_minute),
                  minuteLimit: formatNumber(locale, h.openrouter_free_tier.per_minute_limit),
                  day: formatNumber(locale, h.openrouter_free_tier.requests_today),
                  dayLimit: formatNumber(locale, h.openrouter_free_tier.per_day_limit),
                })}
              </p>
              <progress max={h.openrouter_free_tier.per_day_limit} value={h.openrouter_free_tier.requests_today} aria-labelledby="free-title" />
            </section>
            <section className="card" aria-labelledby="cache-title">
              <h2 id="cache-title">{t('providers.cache')}</h2>
              {cache.data?.enabled ? (
                <p>
                  {t('providers.cacheStats', {
                    hits: formatNumber(locale, cache.data.hits ?? 0),
                    misses: formatNumber(locale, cache.data.misses ?? 0),
                    entries: formatNumber(locale, cache.data.entries ?? 0),
                    max: formatNumber(locale, cache.data.max_entries ?? 0),
                  })}
                </p>
              ) : cache.data ? (
                <p className="muted">{t('providers.cacheOff')}</p>
              ) : null}
            </section>
          </div>
        </>
      )}
      <Users />
    </section>
  );
}

function Users() {
  const { t, locale } = useI18n();
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['admin-users'], queryFn: () => api<{ users: AdminUser[] }>('GET', '/api/admin/users?limit=100') });
  const [disabling, setDisabling] = useState<AdminUser>();
  const patch = useMutation({
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) => api('PATCH', `/api/admin/users/${encodeURIComponent(id)}`, { disabled }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin-users'] }),
  });
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">{t('providers.users')}</h2>
      {users.isError ? <ErrorNote error={users.error} /> : null}
      {patch.isError ? <ErrorNote error={patch.error} /> : null}
      {users.data ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col.email')}</th>
                <th scope="col">{t('col.plan')}</th>
                <th scope="col">{t('col.created')}</th>
                <th scope="col" className="num">
                  {t('col.usedToday')}
                </th>
                <th scope="col" className="num">
                  {t('col.limit')}
                </th>
                <th scope="col">{t('col.state')}</th>
                <th scope="col">{t('col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td>{u.plan}</td>
                  <td>{formatTime(locale, u.created_at)}</td>
                  <td className="num">{formatNumber(locale, u.tokens_used_today)}</td>
                  <td className="num">{u.daily_token_limit === null ? t('common.none') : formatNumber(locale, u.daily_token_limit)}</td>
                  <td>{u.disabled ? t('user.disabled') : t('user.enabled')}</td>
                  <td>
                    {u.is_admin ? null : u.disabled ? (
                      <button type="button" onClick={() => patch.mutate({ id: u.id, disabled: false })}>
                        {t('user.enable')}
                      </button>
                    ) : (
                      <button type="button" className="danger" onClick={() => setDisabling(u)}>
                        {t('user.disable')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : users.isPending ? (
        <Loading />
      ) : null}
      <Confirm
        open={disabling !== undefined}
        message={t('user.disableConfirm', { email: disabling?.email ?? '' })}
        confirmLabel={t('user.disable')}
        onConfirm={() => disabling && patch.mutate({ id: disabling.id, disabled: true })}
        onClose={() => setDisabling(undefined)}
      />
    </section>
  );
}
