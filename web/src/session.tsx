/** The console's session, as the server reports it: who is signed in, and the CSRF token for their requests. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, setCsrfToken, whenSessionEnds } from './api';
import type { ConsoleSession } from './types';

export const SESSION_KEY = ['console-session'] as const;

export function useSession() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: () => api<ConsoleSession>('GET', '/api/console/session'), staleTime: Infinity, retry: 1 });
  // The token must be in place before any page's first request: set it as the answer arrives.
  setCsrfToken(query.data?.signed_in ? query.data.csrf_token : undefined);
  useEffect(() => {
    whenSessionEnds(() => {
      setCsrfToken(undefined);
      client.setQueryData(SESSION_KEY, (old: ConsoleSession | undefined) => ({ signed_in: false, allow_signup: old?.allow_signup ?? false }));
    });
  }, [client]);
  return query;
}

/** After signing in, up or out: the new session, and no data cached from the previous one. */
export function useSessionChanged() {
  const client = useQueryClient();
  return (session: ConsoleSession, options: { keepData?: boolean } = {}) => {
    setCsrfToken(session.signed_in ? session.csrf_token : undefined);
    if (!options.keepData) client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    client.setQueryData(SESSION_KEY, session);
  };
}
