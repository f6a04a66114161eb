import { useCallback, useState } from 'react';
import { api } from '../api';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CreateCredentialDialog } from '../components/CreateCredentialDialog';
import { Link } from '../components/Link';
import { Loading } from '../components/Loading';
import { RowDangerButton } from '../components/RowDangerButton';
import { StatusBadge } from '../components/StatusBadge';
import { credentialStatus } from '../credentialStatus';
import { useFlash } from '../flash';
import { formatDateTime } from '../format';
import { navigate } from '../router';
import { isAdmin, useSession } from '../session';
import type { Credential, OwnerFilter } from '../types';
import { useAsync } from '../useAsync';
import { useConfirmedAction } from '../useConfirmedAction';
import { useDocumentTitle } from '../useDocumentTitle';

interface CredentialsPageProps {
  path: string;
  query: URLSearchParams;
}

export function CredentialsPage({ path, query }: CredentialsPageProps) {
  useDocumentTitle('API Credentials');
  const { user } = useSession();
  const admin = isAdmin(user);
  // Supervisors only ever see their own; admins choose, and the choice lives in the URL (?owner=mine).
  const owner: OwnerFilter = admin && query.get('owner') !== 'mine' ? 'all' : 'mine';
  const load = useCallback(() => api.listCredentials(owner), [owner]);
  const credentials = useAsync(load);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useFlash();
  const [alert, setAlert] = useState<string | null>(null);

  function showOwner(value: OwnerFilter) {
    navigate(value === 'mine' ? `${path}?owner=mine` : path, { replace: true });
  }

  const deleting = useConfirmedAction(async (credential: Credential) => {
    await api.deleteCredential(credential.id);
    setNotice(`Deleted ${credential.name}.`);
    credentials.reload();
  }, setAlert);

  return (
    <>
      <div className="page-header">
        <h1>API Credentials</h1>
        <div className="page-actions">
          {admin && (
            <fieldset className="toggle-group">
              <legend className="visually-hidden">Show credentials</legend>
              <button type="button" aria-pressed={owner === 'all'} onClick={() => showOwner('all')}>
                All
              </button>
              <button type="button" aria-pressed={owner === 'mine'} onClick={() => showOwner('mine')}>
                My
              </button>
            </fieldset>
          )}
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            Create New
          </button>
        </div>
      </div>
      <p className="lede">
        API credentials (a client ID and a client secret) let your programs get bearer tokens for the VCC
        APIs, limited to the scopes you choose.
      </p>
      <p className="notice" role="status">
        {notice}
      </p>
      <Alert message={alert ?? credentials.error?.message} />
      <CredentialTable
        credentials={credentials.data}
        loading={credentials.loading}
        onDelete={(credential) => {
          setNotice(null);
          deleting.ask(credential);
        }}
      />
      {creating && (
        <CreateCredentialDialog onCreated={() => credentials.reload()} onClose={() => setCreating(false)} />
      )}
      {deleting.pending && (
        <ConfirmDialog
          title="Delete API credential"
          message={`Delete ${deleting.pending.name}? Programs using this client ID will stop working.`}
          confirmLabel="Delete"
          onConfirm={deleting.confirm}
          onCancel={deleting.cancel}
        />
      )}
    </>
  );
}

interface CredentialTableProps {
  credentials: Credential[] | undefined;
  loading: boolean;
  onDelete: (credential: Credential) => void;
}

function CredentialTable({ credentials, loading, onDelete }: CredentialTableProps) {
  if (!credentials) return loading ? <Loading /> : null;
  if (credentials.length === 0) {
    return (
      <div className="panel empty">
        <p>No API credentials yet. Create one to call the VCC APIs.</p>
      </div>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Client ID</th>
            <th scope="col">Scopes</th>
            <th scope="col">Owner</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {credentials.map((credential) => (
            <tr key={credential.id}>
              <td className="cell-name">
                <Link to={`/credentials/${encodeURIComponent(credential.id)}`}>{credential.name}</Link>
              </td>
              <td>
                <code className="mono">{credential.clientId}</code>
              </td>
              <td>
                <ul className="tags">
                  {credential.scopes.map((scope) => (
                    <li key={scope} className="tag mono">
                      {scope}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{credential.ownerEmail ?? '—'}</td>
              <td className="nowrap">{formatDateTime(credential.lastUsedAt)}</td>
              <td>
                <StatusBadge label={credentialStatus(credential)} />
              </td>
              <td className="cell-actions">
                <RowDangerButton
                  label="Delete"
                  name={`Delete ${credential.name}`}
                  onClick={() => onDelete(credential)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
