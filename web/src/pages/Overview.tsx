/** Requests, cost, tokens, latency, cache and errors over a range; cost and requests per day; the model mix; today's token limit. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { BarChart } from '../components/BarChart';
import { ErrorNote, Loading, Stat } from '../components/ui';
import { formatDay, formatMs, formatNumber, formatPercent, formatUsd, formatUsdTick } from '../format';
import { useI18n } from '../i18n';
import type { MessageKey } from '../locales/en';
import type { CostBreakdown, ModelDistribution, Overview as OverviewData, UserConfig } from '../types';

const RANGES = ['24h', '7d', '30d'] as const;
type Range = (typeof RANGES)[number];
const DAYS: Record<Range, number> = { '24h': 1, '7d': 7, '30d': 30 };

export function Overview() {
  const { t, locale } = useI18n();
  const [range, setRange] = useState<Range>('7d');
  const overview = useQuery({ queryKey: ['overview', range], queryFn: () => api<OverviewData>('GET', `/api/analytics/overview?timeframe=${range}`) });
  // A one-day range still charts a week, so there is a shape to see.
  const breakdown = useQuery({ queryKey: ['breakdown', range], queryFn: () => api<CostBreakdown>('GET', `/api/analytics/cost-breakdown?days=${Math.max(7, DAYS[range])}`) });
  const mix = useQuery({ queryKey: ['mix', range], queryFn: () => api<ModelDistribution>('GET', `/api/analytics/model-distribution?timeframe=${range}`) });
  const config = useQuery({ queryKey: ['config'], queryFn: () => api<UserConfig>('GET', '/api/config') });

  const o = overview.data;
  return (
    <section aria-labelledby="overview-title">
      <div className="row between">
        <h1 id="overview-title">{t('overview.title')}</h1>
        <div className="tabs" role="group" aria-label={t('overview.timeframe')}>
          {RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={r === range} onClick={() => setRange(r)}>
              {t(`timeframe.${r}` as MessageKey)}
            </button>
          ))}
        </div>
      </div>
      {overview.isError ? <ErrorNote error={overview.error} onRetry={() => void overview.refetch()} /> : null}
      {!o ? (
        <Loading />
      ) : (
        <>
          <dl className="stats">
            <Stat label={t('stat.requests')} value={formatNumber(locale, o.total_requests)} />
            <Stat label={t('stat.cost')} value={formatUsd(locale, o.total_cost)} />
            <Stat label={t('stat.tokens')} value={formatNumber(locale, o.total_tokens)} />
            <Stat label={t('stat.avgLatency')} value={formatMs(locale, o.total_requests === 0 ? null : o.avg_latency_ms)} />
            <Stat label={t('stat.p95Latency')} value={formatMs(locale, o.p95_latency_ms)} />
            <Stat label={t('stat.cacheHitRate')} value={formatPercent(locale, o.cache_hit_rate)} />
            <Stat label={t('stat.errorRate')} value={formatPercent(locale, o.error_rate)} />
            <Stat
              label={t('stat.promptCacheSavings')}
              value={formatUsd(locale, o.prompt_cache_savings_usd)}
              hint={t('stat.promptCacheRead', { rate: formatPercent(locale, o.prompt_cache_read_rate) })}
            />
          </dl>
          {o.total_requests === 0 ? <p className="note">{t('overview.empty')}</p> : null}
        </>
      )}
      {config.data ? <TokenLimit config={config.data} /> : null}
      <div className="grid two">
        {breakdown.data ? (
          <>
            <BarChart
              title={t('chart.costPerDay')}
              data={breakdown.data.data.map((d) => ({ label: formatDay(locale, d.date), value: d.cost }))}
              format={(n) => formatUsd(locale, n)}
              tickFormat={(n) => formatUsdTick(locale, n)}
            />
            <BarChart title={t('chart.requestsPerDay')} data={breakdown.data.data.map((d) => ({ label: formatDay(locale, d.date), value: d.requests }))} format={(n) => formatNumber(locale, n)} />
          </>
        ) : breakdown.isError ? (
          <ErrorNote error={breakdown.error} />
        ) : (
          <Loading />
        )}
      </div>
      {mix.data && mix.data.models.length > 0 ? <ModelMix mix={mix.data} /> : null}
    </section>
  );
}

function TokenLimit({ config }: { config: UserConfig }) {
  const { t, locale } = useI18n();
  const limit = config.effective_daily_token_limit;
  const used = config.tokens_used_today;
  return (
    <section className="card" aria-labelledby="limit-title">
      <h2 id="limit-title">{t('limit.title')}</h2>
      {limit === null ? (
        <p>{t('limit.none', { used: formatNumber(locale, used) })}</p>
      ) : (
        <>
          <p>{t('limit.used', { used: formatNumber(locale, used), limit: formatNumber(locale, limit) })}</p>
          <progress max={limit} value={Math.min(used, limit)} aria-label={t('limit.title')} />
          {used >= limit ? (
            <p className="note error" role="status">
              {t('limit.reached')}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

function ModelMix({ mix }: { mix: ModelDistribution }) {
  const { t, locale } = useI18n();
  return (
    <section className="card" aria-labelledby="mix-title">
      <h2 id="mix-title">{t('chart.modelMix')}</h2>
      <ul className="mix">
        {mix.models.map((m) => (
          <li key={`${m.provider}/${m.model}`}>
            <span className="mix-label">
              {m.model ?? t('chart.noModel')} <span className="muted small">{m.provider}</span>
            </span>
            <meter min={0} max={100} value={m.percentage} aria-label={`${m.model ?? ''} ${formatPercent(locale, m.percentage)}`} />
            <span className="num">
              {formatPercent(locale, m.percentage)} · {formatNumber(locale, m.requests)} · {formatUsd(locale, m.cost)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
