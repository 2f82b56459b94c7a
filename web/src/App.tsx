/** The console: the sign-in form, or the signed-in layout with the page the URL names. */
import { useEffect, useRef } from 'react';
import { ErrorNote, Loading } from './components/ui';
import { Layout } from './components/Layout';
import { hrefOf, useRoute, type PageName } from './router';
import { useSession } from './session';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { Logs } from './pages/Logs';
import { Keys } from './pages/Keys';
import { Sessions } from './pages/Sessions';
import { Playground } from './pages/Playground';
import { Settings } from './pages/Settings';
import { Providers } from './pages/Providers';

export function App() {
  const session = useSession();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  // A new page moves focus to its content, as a page load would, for keyboard and screen-reader users.
  useEffect(() => {
    main.current?.focus();
  }, [route.page]);

  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorNote error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data.signed_in) return <SignIn allowSignup={session.data.allow_signup} />;
  const operator = session.data.is_operator === true;
  // The providers page is the operator's; anyone else who opens it lands on the overview.
  const page: PageName = route.page === 'providers' && !operator ? 'overview' : route.page;
  if (page !== route.page) location.hash = hrefOf(page);
  return (
    <Layout session={session.data} page={page} mainRef={main}>
      {page === 'overview' && <Overview />}
      {page === 'logs' && <Logs openId={route.param} operator={operator} />}
      {page === 'keys' && <Keys />}
      {page === 'sessions' && <Sessions openId={route.param} />}
      {page === 'playground' && <Playground />}
      {page === 'settings' && <Settings operator={operator} />}
      {page === 'providers' && <Providers />}
    </Layout>
  );
}
