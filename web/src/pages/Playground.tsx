/** A chat that streams from /v1/chat/completions, and says under the answer who answered, at what cost, after which attempts. */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useChatModels } from '../models';
import { streamChat, type ChatMetadata } from '../api';
import { ErrorNote, StatusBadge } from '../components/ui';
import { formatMs, formatUsd } from '../format';
import { useI18n } from '../i18n';

export function Playground() {
  const { t, locale } = useI18n();
  const client = useQueryClient();
  const models = useChatModels();
  const [answer, setAnswer] = useState('');
  const [metadata, setMetadata] = useState<ChatMetadata>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController>(undefined);
  // Leaving the page stops the answer: nobody is reading it, and it costs tokens.
  useEffect(() => () => abort.current?.abort(), []);

  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const session = String(form.get('session_id') ?? '').trim();
    const route = String(form.get('route') ?? '');
    const body: Record<string, unknown> = {
      model: String(form.get('model') ?? 'auto'),
      priority: String(form.get('priority') ?? 'normal'),
      messages: [{ role: 'user', content: String(form.get('message') ?? '') }],
      ...(session ? { session_id: session } : {}),
      ...(route ? { route } : {}),
    };
    setAnswer('');
    setMetadata(undefined);
    setError(undefined);
    setBusy(true);
    abort.current = new AbortController();
    try {
      const result = await streamChat(body, (text) => setAnswer((a) => a + text), abort.current.signal);
      setMetadata(result.metadata);
      void client.invalidateQueries({ queryKey: ['logs'] });
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="playground-title">
      <h1 id="playground-title">{t('playground.title')}</h1>
      <form className="card playground" onSubmit={(e) => void send(e)}>
        <div className="row wrap">
          <label>
            {t('playground.model')}
            <select name="model" defaultValue="auto">
              {(models.data ?? [{ id: 'auto' }]).map((m) => (
                <option key={m.id}>{m.id}</option>
              ))}
            </select>
          </label>
          <label>
            {t('playground.priority')}
            <select name="priority" defaultValue="normal">
              <option value="normal">{t('priority.normal')}</option>
              <option value="high">{t('priority.high')}</option>
            </select>
          </label>
          <label>
            {t('playground.route')}
            <select name="route" defaultValue="">
              <option value="">{t('route.default')}</option>
              <option value="cascade">{t('route.cascade')}</option>
              <option value="score">{t('route.score')}</option>
            </select>
          </label>
          <label>
            {t('playground.session')}
            <input name="session_id" maxLength={128} pattern="[A-Za-z0-9._:@\-]{1,128}" aria-describedby="session-help" />
          </label>
        </div>
        <p id="session-help" className="muted small">
          {t('playground.sessionHelp')}
        </p>
        <label>
          {t('playground.message')}
          <textarea name="message" rows={4} required placeholder={t('playground.placeholder')} />
        </label>
        <div className="row end">
          {busy ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              {t('playground.stop')}
            </button>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {t('playground.send')}
          </button>
        </div>
      </form>
      {error ? <ErrorNote error={error} /> : null}
      {answer || metadata ? (
        <article className="card" aria-labelledby="answer-title" aria-busy={busy}>
          <h2 id="answer-title">{t('playground.answer')}</h2>
          <div className="content answer" data-testid="answer">
            {answer}
          </div>
          {metadata ? (
            <div className="meta small" data-testid="answer-meta">
              <p>
                <span className="mono">
                  {metadata.provider}/{metadata.model_used}
                </span>{' '}
                · {formatUsd(locale, metadata.cost_usd)} · {formatMs(locale, metadata.latency_ms)}
                {metadata.cache_hit ? ` · ${t('playground.cacheHit')}` : ''}
              </p>
              {metadata.attempts.length > 0 ? (
                <ol className="cascade inline" aria-label={t('detail.attempts')}>
                  {metadata.attempts.map((a, i) => (
                    <li key={i}>
                      <span className="mono">
                        {a.provider}/{a.model}
                      </span>{' '}
                      <StatusBadge status={a.status} /> {a.http_status ?? ''}
                    </li>
                  ))}
                </ol>
              ) : null}
            </div>
          ) : null}
        </article>
      ) : null}
    </section>
  );
}
