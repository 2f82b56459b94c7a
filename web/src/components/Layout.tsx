/** The signed-in frame: skip link, header with navigation, language, theme and sign-out, then the page. */
import { useEffect, useState, type ReactNode, type RefObject } from 'react';
import { api } from '../api';
import { useI18n } from '../i18n';
import { LanguageSelect } from './ui';
import type { MessageKey } from '../locales/en';
import { hrefOf, PAGES, type PageName } from '../router';
import { useSessionChanged } from '../session';
import type { ConsoleSession } from '../types';

type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'cerebro.theme';

function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(THEME_KEY) as Theme | null) ?? 'system');
  useEffect(() => {
    localStorage.setItem(THEME_KEY, theme);
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  return [theme, setTheme];
}

export function Layout({ session, page, mainRef, children }: { session: ConsoleSession; page: PageName; mainRef: RefObject<HTMLElement | null>; children: ReactNode }) {
  const { t } = useI18n();
  const [theme, setTheme] = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const changed = useSessionChanged();
  const operator = session.is_operator === true;
  const pages = PAGES.filter((p) => p !== 'providers' || operator);
  const signOut = async () => {
    await api('DELETE', '/api/console/session').catch(() => undefined);
    changed({ signed_in: false, allow_signup: session.allow_signup });
  };
  return (
    <>
      <a className="skip" href="#content" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        {t('nav.skip')}
      </a>
      <header className="top">
        <a className="brand" href={hrefOf('overview')}>
          <span className="logo" aria-hidden="true" />
          Cerebro
        </a>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          {t('nav.menu')}
        </button>
        <nav id="main-nav" aria-label={t('nav.main')} className={menuOpen ? 'open' : ''}>
          <ul>
            {pages.map((p) => (
              <li key={p}>
                <a href={hrefOf(p)} aria-current={p === page ? 'page' : undefined} onClick={() => setMenuOpen(false)}>
                  {t(`nav.${p}` as MessageKey)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="controls">
          <LanguageSelect />
          <label>
            <span className="visually-hidden">{t('common.theme')}</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="system">{t('theme.system')}</option>
              <option value="light">{t('theme.light')}</option>
              <option value="dark">{t('theme.dark')}</option>
            </select>
          </label>
          <span className="who muted small">{t('common.signedInAs', { who: operator ? t('common.operator') : (session.user?.email ?? '') })}</span>
          <button type="button" onClick={() => void signOut()}>
            {t('common.signOut')}
          </button>
        </div>
      </header>
      <main id="content" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
