/** The caller's settings (default model, daily token limit, memory, route policy) and their password. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useChatModels } from '../models';
import { api } from '../api';
import { ErrorNote, Loading } from '../components/ui';
import { BudgetPeriodSelect, useBudgetText } from '../components/budget';
import { useI18n } from '../i18n';
import { useSessionChanged } from '../session';
import type { ConsoleSession, UserConfig } from '../types';

export function Settings({ operator }: { operator: boolean }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <Preferences />
      {operator ? <p className="note">{t('settings.operatorNote')}</p> : <Password />}
    </section>
  );
}

const numberOrNull = (v: FormDataEntryValue | null) => (v === null || String(v).trim() === '' ? null : Number(v));

function Preferences() {
  const { t } = useI18n();
  const budgetText = useBudgetText();
  const client = useQueryClient();
  const config = useQuery({ queryKey: ['config'], queryFn: () => api<UserConfig>('GET', '/api/config') });
  const models = useChatModels();
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<UserConfig>('PUT', '/api/config', body),
    onSuccess: (next) => client.setQueryData(['config'], next),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const model = String(form.get('default_model') ?? '');
    save.mutate({
      default_model: model === '' ? null : model,
      daily_token_limit: numberOrNull(form.get('daily_token_limit')),
      memory_messages: numberOrNull(form.get('memory_messages')),
      route_policy: String(form.get('route_policy')),
      max_budget_usd: numberOrNull(form.get('max_budget_usd')),
      budget_period: String(form.get('budget_period') ?? '') === '' ? null : String(form.get('budget_period')),
    });
  };
  if (config.isPending) return <Loading />;
  if (config.isError) return <ErrorNote error={config.error} />;
  const c = config.data;
  return (
    <form className="card stack" onSubmit={submit} key={JSON.stringify(c)}>
      <label>
        {t('settings.defaultModel')}
        <select name="default_model" defaultValue={c.default_model ?? ''} aria-describedby="model-help">
          <option value="">{t('settings.auto')}</option>
          {(models.data ?? [])
            .filter((m) => m.id !== 'auto')
            .map((m) => (
              <option key={m.id}>{m.id}</option>
            ))}
          {c.default_model && !(models.data ?? []).some((m) => m.id === c.default_model) ? <option>{c.default_model}</option> : null}
        </select>
      </label>
      <p id="model-help" className="muted small">
        {t('settings.defaultModelHelp')}
      </p>
      <label>
        {t('settings.dailyLimit')}
        <input name="daily_token_limit" type="number" min={1} defaultValue={c.daily_token_limit ?? ''} aria-describedby="limit-help" />
      </label>
      <p id="limit-help" className="muted small">
        {t('settings.dailyLimitHelp')}
      </p>
      <label>
        {t('settings.memory')}
        <input name="memory_messages" type="number" min={0} max={1000} defaultValue={c.memory_messages ?? ''} aria-describedby="memory-help" />
      </label>
      <p id="memory-help" className="muted small">
        {t('settings.memoryHelp', { n: c.default_memory_messages })}
      </p>
      <div className="row wrap">
        <label>
          {t('keys.budget')}
          <input name="max_budget_usd" type="number" min={0} step="any" defaultValue={c.max_budget_usd ?? ''} aria-describedby="budget-help" />
        </label>
        <BudgetPeriodSelect defaultValue={c.max_budget_usd === null ? 'monthly' : (c.budget_period ?? '')} />
      </div>
      <p id="budget-help" className="muted small">
        {c.budgets.length === 0
          ? t('settings.budgetHelp')
          : c.budgets.map((b) => t(b.kind === 'own' ? 'settings.budgetOwn' : 'settings.budgetOperator', { value: budgetText(b.spend_usd ?? 0, b.max_budget_usd, b.budget_period) })).join(' · ')}
      </p>
      <label>
        {t('settings.routePolicy')}
        <select name="route_policy" defaultValue={c.route_policy}>
          <option value="cascade">{t('route.cascade')}</option>
          <option value="score">{t('route.score')}</option>
        </select>
      </label>
      {save.isError ? <ErrorNote error={save.error} /> : null}
      {save.isSuccess ? (
        <p className="note success" role="status">
          {t('common.saved')}
        </p>
      ) : null}
      <div className="row end">
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

function Password() {
  const { t } = useI18n();
  const changed = useSessionChanged();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(undefined);
    try {
      // Every other session of the account ends; this one goes on with a fresh token (and CSRF token).
      const session = await api<ConsoleSession>('POST', '/api/console/password', { current_password: form.get('current_password'), new_password: form.get('new_password') });
      changed(session, { keepData: true });
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="card stack" onSubmit={(e) => void submit(e)} aria-labelledby="password-title">
      <h2 id="password-title">{t('settings.password')}</h2>
      <label>
        {t('settings.currentPassword')}
        <input name="current_password" type="password" autoComplete="current-password" required />
      </label>
      <label>
        {t('settings.newPassword')}
        <input name="new_password" type="password" autoComplete="new-password" minLength={10} required />
      </label>
      {error ? <ErrorNote error={error} say={{ invalid_credentials: 'error.wrongCurrentPassword' }} /> : null}
      {done ? (
        <p className="note success" role="status">
          {t('settings.passwordChanged')}
        </p>
      ) : null}
      <div className="row end">
        <button type="submit" className="primary">
          {t('settings.changePassword')}
        </button>
      </div>
    </form>
  );
}
