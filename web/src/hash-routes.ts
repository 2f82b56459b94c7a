/** Pages by URL hash (`#/logs`, `#/logs/<id>`): the server serves one page, every route is the console's. Pure. */

export const PAGES = ['overview', 'logs', 'keys', 'sessions', 'playground', 'settings', 'providers'] as const;
export type PageName = (typeof PAGES)[number];

export interface Route {
  page: PageName;
  /** What follows the page in the hash (a log id, a session id), decoded. */
  param: string | undefined;
}

export function parseHash(hash: string): Route {
  const [name, ...rest] = hash.replace(/^#\/?/, '').split('/');
  const page = (PAGES as readonly string[]).includes(name ?? '') ? (name as PageName) : 'overview';
  return { page, param: rest.length > 0 && rest.join('/') !== '' ? decoded(rest.join('/')) : undefined };
}

/** A hand-typed `%` is not worth a blank page: what cannot be decoded is taken as written. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function hrefOf(page: PageName, param?: string): string {
  return `#/${page}${param === undefined ? '' : `/${encodeURIComponent(param)}`}`;
}
