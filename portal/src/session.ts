import { createContext, useContext } from 'react';
import type { User } from './types';

export interface Session {
  user: User;
  logOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

/** The logged-in user; only used below the layout, which renders after login. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a logged-in layout');
  return session;
}

export const isAdmin = (user: User) => user.licence === 'admin';
