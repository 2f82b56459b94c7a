/** The console's language: the browser's (Spanish or English) unless the user picks one; remembered. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './locales/en';
import { es } from './locales/es';

export type Language = 'en' | 'es';
const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { en, es };
const STORAGE_KEY = 'cerebro.language';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A value the API sends in English (a complexity, a route, a circuit state), in the reader's language when it has a name. */
export function valueLabel(t: Translate, value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const key = `value.${value.replace('-', '_')}`;
  return key in en ? t(key as MessageKey) : value;
}

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  /** The locale for numbers and dates. */
  locale: string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

function browserLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'es') return saved;
  return navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(browserLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(() => {
    const dictionary = DICTIONARIES[language];
    const t: Translate = (key, vars) => {
      const text = dictionary[key];
      return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`)) : text;
    };
    return { language, setLanguage, t, locale: language === 'es' ? 'es-ES' : 'en-US' };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
