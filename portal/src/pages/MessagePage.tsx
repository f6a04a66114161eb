import type { ReactNode } from 'react';
import { useDocumentTitle } from '../useDocumentTitle';

/** A page that only explains something: not found, not allowed, not available. */
export function MessagePage({ title, children }: { title: string; children: ReactNode }) {
  useDocumentTitle(title);
  return (
    <>
      <h1>{title}</h1>
      <div className="panel message">{children}</div>
    </>
  );
}
