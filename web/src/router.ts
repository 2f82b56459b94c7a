/** The page the URL names, following its changes. */
import { useEffect, useState } from 'react';
import { parseHash, type Route } from './hash-routes';

export { hrefOf, PAGES, parseHash, type PageName, type Route } from './hash-routes';

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
