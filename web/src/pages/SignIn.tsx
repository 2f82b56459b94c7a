/** Sign in (account or operator token) and sign up (when the gateway allows it). */
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNote, LanguageSelect } from '../components/ui';
import { useI18n } from '../i18n';
import { useSessionChanged } from '../session';
import type { ConsoleSession } from '../types';

type Mode = 'account' | 'operator' | 'signup';

export function SignIn({ allowSignup }: { allowSignup: boolean }) {
  const { t } = useI18n();
  const changed = useSessionChanged();
  const [mode, setMode] = useState<Mode>('account');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const session =
        mode === 'operator'
          ? await api<ConsoleSession>('POST', '/api/console/session', { operator_token: form.get('operator_token') })
          : await api<ConsoleSession>('POST', mode === 'signup' ? '/api/console/signup' : '/api/console/session', { email: form.get('email'), password: form.get('password') });
      changed(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const title = mode === 'signup' ? t('signUp.title') : t('signIn.title');
  return (
    <main className="signin" id="content">
      <div className="row end">
        <LanguageSelect />
      </div>
      <div className="card narrow">
        <p className="brand">
          <span className="logo" aria-hidden="true" />
          Cerebro
        </p>
        <h1>{title}</h1>
        <p className="muted">{t('app.tagline')}</p>
        {mode !== 'signup' ? (
          <div className="tabs" role="group" aria-label={t('signIn.title')}>
            <button type="button" aria-pressed={mode === 'account'} onClick={() => (setMode('account'), setError(undefined))}>
              {t('signIn.account')}
            </button>
            <button type="button" aria-pressed={mode === 'operator'} onClick={() => (setMode('operator'), setError(undefined))}>
              {t('signIn.operator')}
            </button>
          </div>
        ) : null}
        <form onSubmit={(e) => void submit(e)} key={mode}>
          {mode === 'operator' ? (
            <label>
              {t('signIn.operatorToken')}
              <input name="operator_token" type="password" autoComplete="current-password" required />
            </label>
          ) : (
            <>
              <label>
                {t('signIn.email')}
                <input name="email" type="email" autoComplete="email" required />
              </label>
              <label>
                {t('signIn.password')}
                <input
                  name="password"
                  type="password"
                  autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
                  minLength={mode === 'signup' ? 10 : undefined}
                  required
                  aria-describedby={mode === 'signup' ? 'password-help' : undefined}
                />
              </label>
              {mode === 'signup' ? (
                <p id="password-help" className="muted small">
                  {t('signUp.passwordHelp')}
                </p>
              ) : null}
            </>
          )}
          {error ? <ErrorNote error={error} say={mode === 'operator' ? { invalid_credentials: 'error.wrongOperatorToken' } : {}} /> : null}
          <button type="submit" className="primary" disabled={busy}>
            {mode === 'signup' ? t('signUp.submit') : mode === 'operator' ? t('signIn.operatorSubmit') : t('signIn.submit')}
          </button>
        </form>
        {allowSignup && mode !== 'operator' ? (
          <p className="small">
            {mode === 'signup' ? t('signIn.haveAccount') : t('signIn.noAccount')}{' '}
            <button type="button" className="link" onClick={() => (setMode(mode === 'signup' ? 'account' : 'signup'), setError(undefined))}>
              {mode === 'signup' ? t('signIn.toSignIn') : t('signIn.toSignUp')}
            </button>
          </p>
        ) : null}
      </div>
    </main>
  );
}
