import { useCallback, useRef, useState } from 'react';
import { api, toApiError } from '../api';
import { Alert } from '../components/Alert';
import { Loading } from '../components/Loading';
import { formatDateTime } from '../format';
import type { AuditEntry } from '../types';
import { useAsync } from '../useAsync';
import { useDocumentTitle } from '../useDocumentTitle';

const PAGE_SIZE = 50;

interface Older {
  entries: AuditEntry[];
  /** undefined until "Load more" has been used; then the cursor of the last page loaded. */
  nextBefore: string | null | undefined;
}

export function AuditPage() {
  useDocumentTitle('Audit log');
  const load = useCallback(() => api.listAudit(null, PAGE_SIZE), []);
  const first = useAsync(load);
  const [older, setOlder] = useState<Older>({ entries: [], nextBefore: undefined });
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<string | null>(null);
  const endMessage = useRef<HTMLParagraphElement>(null);

  const entries = [...(first.data?.entries ?? []), ...older.entries];
  const cursor = older.nextBefore === undefined ? first.data?.nextBefore : older.nextBefore;

  async function loadMore() {
    if (!cursor) return;
    setBusy(true);
    setAlert(null);
    try {
      const page = await api.listAudit(cursor, PAGE_SIZE);
      setOlder((previous) => ({
        entries: [...previous.entries, ...page.entries],
        nextBefore: page.nextBefore,
      }));
      // The button goes away at the end; keep keyboard focus somewhere sensible.
      if (!page.nextBefore) requestAnimationFrame(() => endMessage.current?.focus());
    } catch (error) {
      setAlert(toApiError(error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Audit log</h1>
      <p className="lede">
        Every change to users and credentials, and every login, newest first. Entries never hold a secret or a
        password.
      </p>
      <Alert message={first.error?.message} />
      {!first.data ? (
        first.loading && <Loading />
      ) : entries.length === 0 ? (
        <div className="panel empty">
          <p>No audit entries yet.</p>
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <AuditRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
          <Alert message={alert} />
          <div className="below-table">
            {cursor ? (
              <button type="button" className="button" onClick={loadMore} disabled={busy} aria-busy={busy}>
                {busy ? 'Loading…' : 'Load more'}
              </button>
            ) : (
              <p className="hint" ref={endMessage} tabIndex={-1}>
                {older.entries.length > 0 ? 'No older entries.' : ''}
              </p>
            )}
          </div>
        </>
      )}
    </>
  );
}

function hasDetails(details: unknown): boolean {
  if (details === null || details === undefined) return false;
  return typeof details !== 'object' || Object.keys(details).length > 0;
}

/** Why, where an entry says so (a refused client authentication): shown without opening its details. */
function reasonOf(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { reason } = details as { reason?: unknown };
  return typeof reason === 'string' ? reason : undefined;
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const reason = reasonOf(entry.details);
  return (
    <tr>
      <td className="nowrap">{formatDateTime(entry.at)}</td>
      <td>{entry.actorEmail ?? 'cli'}</td>
      <td>
        <code className="mono">{entry.action}</code>
        {reason && <span className="sub">reason: {reason}</span>}
        {hasDetails(entry.details) && (
          <details className="details">
            <summary>Details</summary>
            <pre className="mono">{JSON.stringify(entry.details, null, 2)}</pre>
          </details>
        )}
      </td>
      <td>
        {entry.targetName ?? entry.targetId ?? '—'}
        {entry.targetType && <span className="sub">{entry.targetType}</span>}
      </td>
      <td>{entry.ip ? <code className="mono">{entry.ip}</code> : '—'}</td>
    </tr>
  );
}
