import { type ReactNode, useEffect, useRef } from 'react';
import { isAdmin, useSession } from '../session';
import { Link } from './Link';

interface NavItem {
  to: string;
  label: string;
  /** Whether the current path belongs to this section. */
  matches: (path: string) => boolean;
}

function navItems(hasLicence: boolean, admin: boolean): NavItem[] {
  const items: NavItem[] = [];
  if (hasLicence) {
    items.push({
      to: '/credentials',
      label: 'API Credentials',
      matches: (path) => path === '/' || path.startsWith('/credentials'),
    });
  }
  if (admin) {
    items.push({ to: '/audit', label: 'Audit log', matches: (path) => path === '/audit' });
    items.push({ to: '/users', label: 'Users', matches: (path) => path === '/users' });
  }
  items.push({ to: '/tokens', label: 'API tokens', matches: (path) => path === '/tokens' });
  return items;
}

export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const { user, logOut } = useSession();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);

  // After an in-app navigation, start keyboard and screen-reader users at the new page's content.
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    main.current?.focus();
    window.scrollTo(0, 0);
  }, [path]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="header-bar">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Keygate
          </Link>
          <div className="account">
            <span className="account-who">
              <span className="account-email">{user.email}</span>
              <span className="account-name">{user.accountName}</span>
            </span>
            <button type="button" className="button button-small" onClick={logOut}>
              Log out
            </button>
          </div>
        </div>
        <nav aria-label="Main" className="nav">
          <ul>
            {navItems(user.licence !== null, isAdmin(user)).map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={item.matches(path) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="main">
        {children}
      </main>
    </div>
  );
}
