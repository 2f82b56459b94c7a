/** A US-dollar budget in the console: its period chooser, and how it reads ("$0.12 of $5.00 a month"). */
import { formatUsd } from '../format';
import { useI18n } from '../i18n';
import type { MessageKey } from '../locales/en';

export type BudgetPeriod = 'daily' | 'weekly' | 'monthly' | null;

/** The `budget_period` field: a lifetime budget is the empty value. */
export function BudgetPeriodSelect({ defaultValue }: { defaultValue: string }) {
  const { t } = useI18n();
  return (
    <label>
      {t('keys.budgetPeriod')}
      <select name="budget_period" defaultValue={defaultValue}>
        <option value="daily">{t('budget.daily')}</option>
        <option value="weekly">{t('budget.weekly')}</option>
        <option value="monthly">{t('budget.monthly')}</option>
        <option value="">{t('budget.lifetime')}</option>
      </select>
    </label>
  );
}

/** What a budget has spent of its amount, per its period. */
export function useBudgetText(): (spent: number, budget: number, period: BudgetPeriod) => string {
  const { t, locale } = useI18n();
  return (spent, budget, period) => t('keys.budgetValue', { spent: formatUsd(locale, spent), budget: formatUsd(locale, budget), period: t(`budget.${period ?? 'lifetime'}` as MessageKey) });
}
