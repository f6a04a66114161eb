import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, onSessionEnded, toApiError } from './api';
import { Layout } from './components/Layout';
import { Loading } from './components/Loading';
import { ApiTokensPage } from './pages/ApiTokensPage';
import { AuditPage } from './pages/AuditPage';
import { CredentialDetailPage } from './pages/CredentialDetailPage';
import { CredentialsPage } from './pages/CredentialsPage';
import { LoginPage } from './pages/LoginPage';
import { MessagePage } from './pages/MessagePage';
import { NoLicencePage } from './pages/NoLicencePage';
import { UsersPage } from './pages/UsersPage';
import { type Location, navigate, useLocation } from './router';
import { isAdmin, type Session, SessionContext } from './session';
import type { User } from './types';

type SessionState =
  | { kind: 'checking' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'loggedOut'; notice: string | null }
  | { kind: 'loggedIn'; user: User };

const SESSION_ENDED = 'Your session has ended, log in again';

export function App() {
  const location = useLocation();
  const [state, setState] = useState<SessionState>({ kind: 'checking' });

  const checkSession = useCallback(() => {
    setState({ kind: 'checking' });
    api.getSession().then(
      ({ user }) => setState({ kind: 'loggedIn', user }),
      (error: unknown) => {
        const apiError = toApiError(error);
        setState(
          apiError.status === 401
            ? { kind: 'loggedOut', notice: null }
            : { kind: 'unreachable', message: apiError.message },
        );
      },
    );
  }, []);

  useEffect(() => {
    onSessionEnded(() => setState({ kind: 'loggedOut', notice: SESSION_ENDED }));
    checkSession();
    return () => onSessionEnded(null);
  }, [checkSession]);

  const logOut = useCallback(async () => {
    try {
      await api.logOut();
    } catch {
      // Already logged out on the server (or unreachable): the browser forgets the session either way.
    }
    setState({ kind: 'loggedOut', notice: null });
    navigate('/', { replace: true });
  }, []);

  const user = state.kind === 'loggedIn' ? state.user : null;
  const session = useMemo<Session | null>(() => (user ? { user, logOut } : null), [user, logOut]);

  switch (state.kind) {
    case 'checking':
      return (
        <main id="main" className="login">
          <Loading />
        </main>
      );
    case 'unreachable':
      return (
        <main id="main" className="login">
          <div className="login-card">
            <h1>Keygate is not answering</h1>
            <div className="alert" role="alert">
              {state.message}
            </div>
            <button type="button" className="button button-primary" onClick={checkSession}>
              Try again
            </button>
          </div>
        </main>
      );
    case 'loggedOut':
      return (
        <LoginPage
          notice={state.notice}
          onLoggedIn={(loggedIn) => setState({ kind: 'loggedIn', user: loggedIn })}
        />
      );
    case 'loggedIn':
      return (
        <SessionContext.Provider value={session}>
          <Layout path={location.path}>
            <CurrentPage location={location} user={state.user} />
          </Layout>
        </SessionContext.Provider>
      );
  }
}

function CurrentPage({ location, user }: { location: Location; user: User }) {
  const { path, query } = location;

  if (path === '/' || path === '/credentials' || path.startsWith('/credentials/')) {
    if (user.licence === null) return <NoLicencePage />;
    const detail = /^\/credentials\/([^/]+)$/.exec(path);
    if (detail?.[1]) {
      const credentialId = decodeURIComponent(detail[1]);
      // keyed: another credential is a fresh page, not a stale form
      return (
        <CredentialDetailPage key={credentialId} credentialId={credentialId} path={path} query={query} />
      );
    }
    if (path.startsWith('/credentials/')) return <NotFound />;
    return <CredentialsPage path={path} query={query} />;
  }
  if (path === '/audit') return isAdmin(user) ? <AuditPage /> : <AdminsOnly />;
  if (path === '/users') return isAdmin(user) ? <UsersPage /> : <AdminsOnly />;
  if (path === '/tokens') return <ApiTokensPage />;
  return <NotFound />;
}

function NotFound() {
  return (
    <MessagePage title="Page not found">
      <p>There is no such page in the portal.</p>
    </MessagePage>
  );
}

function AdminsOnly() {
  return (
    <MessagePage title="Not available">
      <p>Only users with the admin licence can see this page.</p>
    </MessagePage>
  );
}
