/** The log explorer: filters, newest first, "load more" by cursor; a row opens its detail. */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNote, Loading, StatusBadge } from '../components/ui';
import { formatMs, formatNumber, formatShortTime, formatTime, formatUsd } from '../format';
import { useI18n, valueLabel } from '../i18n';
import type { MessageKey } from '../locales/en';
import { hrefOf } from '../router';
import type { GatewayKey, LogSummary, Page } from '../types';
import { LogDetail } from './LogDetail';

const FILTERS = ['timeframe', 'model', 'provider', 'status', 'key_id', 'session_id', 'cache_hit', 'user_id'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PROVIDERS = ['openrouter', 'gemini', 'anthropic', 'openai'];

export function Logs({ openId, operator }: { openId: string | undefined; operator: boolean }) {
  const { t, locale } = useI18n();
  const [filters, setFilters] = useState<Filters>({ timeframe: '7d' });
  const keys = useQuery({ queryKey: ['gateway-keys'], queryFn: () => api<{ keys: GatewayKey[] }>('GET', '/api/keys/gateway') });
  const logs = useInfiniteQuery({
    queryKey: ['logs', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined && v !== '') as Array<[string, string]>);
      if (pageParam) query.set('cursor', pageParam);
      return api<Page<LogSummary>>('GET', `/api/logs?${query}`);
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setFilters(Object.fromEntries(FILTERS.map((f) => [f, String(form.get(f) ?? '')]).filter(([, v]) => v !== '')));
  };
  const rows = logs.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">{t('logs.title')}</h1>
      <form className="filters card" onSubmit={apply} onReset={() => setFilters({ timeframe: '7d' })} aria-label={t('filter.legend')}>
        <label>
          {t('overview.timeframe')}
          <select name="timeframe" defaultValue={filters.timeframe}>
            {['1h', '24h', '7d', '30d'].map((r) => (
              <option key={r} value={r}>
                {t(`timeframe.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filter.model')}
          <input name="model" defaultValue={filters.model} />
        </label>
        <label>
          {t('filter.provider')}
          <select name="provider" defaultValue={filters.provider ?? ''}>
            <option value="">{t('filter.all')}</option>
            {PROVIDERS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          {t('filter.status')}
          <select name="status" defaultValue={filters.status ?? ''}>
            <option value="">{t('filter.all')}</option>
            <option value="ok">{t('status.ok')}</option>
            <option value="error">{t('status.error')}</option>
            <option value="cancelled">{t('status.cancelled')}</option>
          </select>
        </label>
        <label>
          {t('filter.key')}
          <select name="key_id" defaultValue={filters.key_id ?? ''}>
            <option value="">{t('filter.all')}</option>
            {keys.data?.keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.prefix}…)
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filter.session')}
          <input name="session_id" defaultValue={filters.session_id} />
        </label>
        <label>
          {t('filter.cache')}
          <select name="cache_hit" defaultValue={filters.cache_hit ?? ''}>
            <option value="">{t('filter.all')}</option>
            <option value="true">{t('cache.hit')}</option>
            <option value="false">{t('cache.miss')}</option>
          </select>
        </label>
        {operator ? (
          <label>
            {t('filter.user')}
            <input name="user_id" defaultValue={filters.user_id} />
          </label>
        ) : null}
        <div className="row end">
          <button type="reset">{t('filter.reset')}</button>
          <button type="submit" className="primary">
            {t('filter.apply')}
          </button>
        </div>
      </form>
      {logs.isError ? <ErrorNote error={logs.error} onRetry={() => void logs.refetch()} /> : null}
      {logs.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p className="note">{t('logs.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="logs">
            <thead>
              <tr>
                <th scope="col">{t('col.time')}</th>
                {operator ? <th scope="col">{t('col.user')}</th> : null}
                <th scope="col">{t('col.model')}</th>
                <th scope="col">{t('col.provider')}</th>
                <th scope="col">{t('col.status')}</th>
                <th scope="col" className="num">
                  {t('col.tokens')}
                </th>
                <th scope="col" className="num">
                  {t('col.cost')}
                </th>
                <th scope="col" className="num">
                  {t('col.latency')}
                </th>
                <th scope="col">{t('col.complexity')}</th>
                <th scope="col">{t('col.route')}</th>
                <th scope="col">{t('col.cache')}</th>
                <th scope="col">{t('col.key')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={r.id === openId ? 'selected' : undefined}>
                  <td className="nowrap">
                    <a href={hrefOf('logs', r.id)} title={t('logs.open', { time: formatTime(locale, r.created_at) })}>
                      {formatShortTime(locale, r.created_at)}
                    </a>
                  </td>
                  {operator ? <td className="mono small">{r.user_id}</td> : null}
                  <td className="mono">
                    {r.model ?? r.model_requested ?? t('common.none')}
                    {r.attempts_count > 1 ? <div className="muted small">{t('logs.attempts', { n: r.attempts_count })}</div> : null}
                  </td>
                  <td>{r.provider ?? t('common.none')}</td>
                  <td>
                    <StatusBadge status={r.status} /> <span className="muted small">{r.http_status}</span>
                  </td>
                  <td className="num">
                    {formatNumber(locale, r.prompt_tokens)} / {formatNumber(locale, r.completion_tokens)}
                  </td>
                  <td className="num">{formatUsd(locale, r.cost_usd)}</td>
                  <td className="num">{formatMs(locale, r.latency_ms)}</td>
                  <td>{valueLabel(t, r.complexity)}</td>
                  <td>{valueLabel(t, r.route)}</td>
                  <td>{r.cache_hit ? t('cache.hit') : t('cache.miss')}</td>
                  <td>{r.key_name ?? t('common.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {logs.hasNextPage ? (
        <button type="button" onClick={() => void logs.fetchNextPage()} disabled={logs.isFetchingNextPage}>
          {t('common.more')}
        </button>
      ) : null}
      {openId ? <LogDetail id={openId} /> : null}
    </section>
  );
}
