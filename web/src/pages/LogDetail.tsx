/** One request: the attempts cascade (`openrouter/free 402 → gemini-2.5-flash ok`), tokens, cost, warnings. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../api';
import { ErrorNote, Loading, StatusBadge } from '../components/ui';
import { formatMs, formatNumber, formatTime, formatUsd } from '../format';
import { useI18n, valueLabel } from '../i18n';
import { hrefOf } from '../router';
import type { LogDetail as Detail } from '../types';

export function LogDetail({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const detail = useQuery({ queryKey: ['log', id], queryFn: () => api<Detail>('GET', `/api/logs/${encodeURIComponent(id)}`) });
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  const close = () => {
    location.hash = hrefOf('logs');
  };
  const d = detail.data;
  return (
    <dialog ref={ref} className="wide" onClose={close} aria-labelledby="detail-title">
      <div className="row between">
        <h2 id="detail-title">
          {t('detail.title')} <span className="mono small">{id}</span>
        </h2>
        <button type="button" onClick={close}>
          {t('common.close')}
        </button>
      </div>
      {detail.isError ? <ErrorNote error={detail.error} /> : null}
      {!d ? (
        detail.isPending ? (
          <Loading />
        ) : null
      ) : (
        <>
          <dl className="facts">
            <dt>{t('col.time')}</dt>
            <dd>{formatTime(locale, d.created_at)}</dd>
            <dt>{t('col.status')}</dt>
            <dd>
              <StatusBadge status={d.status} /> {d.http_status}
            </dd>
            <dt>{t('detail.requested')}</dt>
            <dd className="mono">{d.model_requested ?? 'auto'}</dd>
            <dt>{t('col.model')}</dt>
            <dd>
              <span className="mono">{d.model ?? t('common.none')}</span> {d.provider ? <span className="muted small">{d.provider}</span> : null}
            </dd>
            <dt>{t('col.tokens')}</dt>
            <dd>{t('detail.tokens', { prompt: formatNumber(locale, d.prompt_tokens), completion: formatNumber(locale, d.completion_tokens) })}</dd>
            <dt>{t('detail.promptCache')}</dt>
            <dd>
              {d.prompt_cache_read_tokens + d.prompt_cache_write_tokens === 0
                ? t('common.none')
                : d.prompt_cache_savings_usd < 0
                  ? t('detail.promptCacheExtra', {
                      read: formatNumber(locale, d.prompt_cache_read_tokens),
                      write: formatNumber(locale, d.prompt_cache_write_tokens),
                      extra: formatUsd(locale, -d.prompt_cache_savings_usd),
                    })
                  : t('detail.promptCacheValue', {
                      read: formatNumber(locale, d.prompt_cache_read_tokens),
                      write: formatNumber(locale, d.prompt_cache_write_tokens),
                      saved: formatUsd(locale, d.prompt_cache_savings_usd),
                    })}
            </dd>
            <dt>{t('col.cost')}</dt>
            <dd>{formatUsd(locale, d.cost_usd)}</dd>
            <dt>{t('col.latency')}</dt>
            <dd>{formatMs(locale, d.latency_ms)}</dd>
            <dt>{t('col.complexity')}</dt>
            <dd>{valueLabel(t, d.complexity)}</dd>
            <dt>{t('col.route')}</dt>
            <dd>{valueLabel(t, d.route)}</dd>
            <dt>{t('detail.priority')}</dt>
            <dd>{valueLabel(t, d.priority)}</dd>
            <dt>{t('detail.stream')}</dt>
            <dd>{d.stream ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('col.cache')}</dt>
            <dd>{d.cache_hit ? t('cache.hit') : t('cache.miss')}</dd>
            <dt>{t('col.key')}</dt>
            <dd>{d.key_name ?? t('common.none')}</dd>
            <dt>{t('col.session')}</dt>
            <dd className="mono">{d.session_id ?? t('common.none')}</dd>
          </dl>
          <h3>{t('detail.attempts')}</h3>
          {d.attempts.length === 0 ? (
            <p className="muted">{t('common.none')}</p>
          ) : (
            <ol className="cascade" data-testid="cascade">
              {d.attempts.map((a, i) => (
                <li key={i} className={a.status}>
                  <span className="mono">
                    {a.provider}/{a.model}
                  </span>{' '}
                  <StatusBadge status={a.status} /> {a.http_status ?? ''} <span className="muted small">{formatMs(locale, a.latency_ms)}</span>
                  {(a.error ?? a.reason) ? <div className="small muted">{a.error ?? a.reason}</div> : null}
                </li>
              ))}
            </ol>
          )}
          {d.error ? (
            <>
              <h3>{t('detail.error')}</h3>
              <p className="mono small">{d.error}</p>
            </>
          ) : null}
          <h3>{t('detail.warnings')}</h3>
          {d.warnings.length === 0 ? (
            <p className="muted">{t('detail.noWarnings')}</p>
          ) : (
            <ul>
              {d.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </dialog>
  );
}
