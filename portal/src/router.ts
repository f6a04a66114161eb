import { useSyncExternalStore } from 'react';

/** A tiny pathname router under the `/portal` base: the server answers index.html for every deep link. */

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');
const NAVIGATE_EVENT = 'keygate:navigate';

export interface Location {
  /** The path inside the portal, e.g. `/credentials/abc`; `/` for the home page. */
  path: string;
  query: URLSearchParams;
}

export function href(to: string): string {
  return BASE + to;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href(to));
  else history.pushState(null, '', href(to));
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

// A string snapshot keeps useSyncExternalStore's equality check cheap and stable.
const snapshot = () => window.location.pathname + window.location.search;

export function useLocation(): Location {
  const current = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(current, window.location.origin);
  let path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return { path, query: url.searchParams };
}
