/** Small shared pieces: error notes, stat cards, a confirmation dialog, a copy button, a loading line. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { useI18n, type Language } from '../i18n';
import type { MessageKey } from '../locales/en';

/** Codes whose message the console says in the reader's language; any other shows the server's words. */
const TRANSLATED = new Set([
  'forbidden',
  'invalid_credentials',
  'too_many_attempts',
  'rate_limit_exceeded',
  'weak_password',
  'email_taken',
  'signup_disabled',
  'session_expired',
  'daily_token_limit_exceeded',
  'no_provider_available',
]);

/** `say`: what a code means on this form, when the general wording would mislead (a wrong operator token is no wrong e-mail). */
export function ErrorNote({ error, onRetry, say = {} }: { error: unknown; onRetry?: () => void; say?: Record<string, MessageKey> }) {
  const { t } = useI18n();
  const code = error instanceof ApiError ? error.code : null;
  const special = code === null ? undefined : say[code];
  const message = special ? t(special) : code !== null && TRANSLATED.has(code) ? t(`error.${code}` as MessageKey) : error instanceof Error ? error.message : String(error);
  return (
    <div className="note error" role="alert">
      <strong>{t('error.title')}:</strong> {message}
      {onRetry ? (
        <button type="button" className="link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        {value}
        {hint ? <span className="stat-hint">{hint}</span> : null}
      </dd>
    </div>
  );
}

/** A modal question (the native <dialog>: focus kept inside, Escape closes it). */
export function Confirm({ open, message, confirmLabel, onConfirm, onClose }: { open: boolean; message: string; confirmLabel: string; onConfirm: () => void; onClose: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="confirm-message">
      <p id="confirm-message">{message}</p>
      <div className="row end">
        <button type="button" onClick={onClose} autoFocus>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** Copies text; where the clipboard API is missing (plain http off localhost), selects it for Ctrl+C. */
export function CopyButton({ text, targetId }: { text: string; targetId: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      const input = document.getElementById(targetId);
      if (input instanceof HTMLInputElement) input.select();
    }
  };
  return (
    <button type="button" onClick={() => void copy()} aria-live="polite">
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}

export function StatusBadge({ status }: { status: 'ok' | 'error' | 'cancelled' | string }) {
  const { t } = useI18n();
  const label = status === 'ok' ? t('status.ok') : status === 'cancelled' ? t('status.cancelled') : status === 'error' ? t('status.error') : status;
  return <span className={`badge ${status}`}>{label}</span>;
}

/** The language switch (the choice is remembered by the i18n provider). */
export function LanguageSelect() {
  const { t, language, setLanguage } = useI18n();
  return (
    <label>
      <span className="visually-hidden">{t('common.language')}</span>
      <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        <option value="es">Español</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
