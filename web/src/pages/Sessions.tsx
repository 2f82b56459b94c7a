/** The caller's conversations: the list, one read in full, and forgetting one. */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { Confirm, ErrorNote, Loading } from '../components/ui';
import { formatNumber, formatTime } from '../format';
import { useI18n } from '../i18n';
import type { MessageKey } from '../locales/en';
import { hrefOf } from '../router';
import type { Page, SessionMessages, SessionSummary } from '../types';

export function Sessions({ openId }: { openId: string | undefined }) {
  const { t, locale } = useI18n();
  const client = useQueryClient();
  const [deleting, setDeleting] = useState<SessionSummary>();
  const sessions = useInfiniteQuery({
    queryKey: ['sessions'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api<Page<SessionSummary>>('GET', `/api/sessions${pageParam ? `?cursor=${pageParam}` : ''}`),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const forget = useMutation({
    mutationFn: (id: string) => api('DELETE', `/v1/sessions/${encodeURIComponent(id)}`),
    onSuccess: (_, id) => {
      if (openId === id) location.hash = hrefOf('sessions');
      void client.invalidateQueries({ queryKey: ['sessions'] });
    },
  });
  const rows = sessions.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">{t('sessions.title')}</h1>
      <p className="muted">{t('sessions.help')}</p>
      {sessions.isError ? <ErrorNote error={sessions.error} /> : null}
      {forget.isError ? <ErrorNote error={forget.error} /> : null}
      <div className="grid sessions">
        <div>
          {sessions.isPending ? (
            <Loading />
          ) : rows.length === 0 ? (
            <p className="note">{t('sessions.empty')}</p>
          ) : (
            <ul className="plain list">
              {rows.map((s) => (
                <li key={s.session_id} className={s.session_id === openId ? 'selected' : undefined}>
                  <a href={hrefOf('sessions', s.session_id)} aria-current={s.session_id === openId ? 'true' : undefined}>
                    <span className="mono">{s.session_id}</span>
                  </a>
                  <div className="muted small">
                    {formatNumber(locale, s.messages)} {t('col.messages').toLowerCase()} · {formatTime(locale, s.last_activity)}
                  </div>
                  <div className="small preview">{s.preview}</div>
                  <button type="button" className="danger small" onClick={() => setDeleting(s)} aria-label={`${t('sessions.delete')} ${s.session_id}`}>
                    {t('sessions.delete')}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {sessions.hasNextPage ? (
            <button type="button" onClick={() => void sessions.fetchNextPage()}>
              {t('common.more')}
            </button>
          ) : null}
        </div>
        {openId ? <Conversation id={openId} /> : null}
      </div>
      <Confirm
        open={deleting !== undefined}
        message={t('sessions.deleteConfirm', { id: deleting?.session_id ?? '', count: deleting?.messages ?? 0 })}
        confirmLabel={t('sessions.delete')}
        onConfirm={() => deleting && forget.mutate(deleting.session_id)}
        onClose={() => setDeleting(undefined)}
      />
    </section>
  );
}

function Conversation({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const turns = useInfiniteQuery({
    queryKey: ['session', id],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api<SessionMessages>('GET', `/v1/sessions/${encodeURIComponent(id)}/messages?limit=100${pageParam ? `&after=${pageParam}` : ''}`),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const messages = turns.data?.pages.flatMap((p) => p.messages) ?? [];
  return (
    <article className="card conversation" aria-labelledby="conversation-title">
      <h2 id="conversation-title">{t('sessions.conversation', { id })}</h2>
      {turns.isError ? <ErrorNote error={turns.error} /> : null}
      {turns.isPending ? <Loading /> : null}
      <ol className="plain turns">
        {messages.map((m) => (
          <li key={m.id} className={`turn ${m.role}`}>
            <div className="small muted">
              {t(`role.${m.role}` as MessageKey)} · {formatTime(locale, m.created_at)}
              {m.model_used ? ` · ${m.model_used}` : ''}
            </div>
            <div className="content">{m.content}</div>
          </li>
        ))}
      </ol>
      {turns.hasNextPage ? (
        <button type="button" onClick={() => void turns.fetchNextPage()}>
          {t('common.more')}
        </button>
      ) : null}
    </article>
  );
}
