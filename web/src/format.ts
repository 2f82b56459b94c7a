/** Numbers, money, durations and times in the console's locale. */
export function formatNumber(locale: string, n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** US dollars: cents for large sums, more digits for the fractions of a cent a request costs. */
export function formatUsd(locale: string, n: number): string {
  const digits = n === 0 ? 2 : Math.abs(n) < 0.01 ? 6 : Math.abs(n) < 1 ? 4 : 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** Axis ticks: three significant digits, whatever the size. */
export function formatUsdTick(locale: string, n: number): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }).format(n);
}

/** A log row's time: short, on one line. */
export function formatShortTime(locale: string, iso: string): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
}

export function formatMs(locale: string, ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 1000 ? `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(ms / 1000)} s` : `${Math.round(ms)} ms`;
}

export function formatPercent(locale: string, percentage: number): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(percentage / 100);
}

export function formatTime(locale: string, iso: string | null): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function formatDay(locale: string, isoDate: string): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}
