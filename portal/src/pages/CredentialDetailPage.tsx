import { useCallback, useId, useState } from 'react';
import { api, toApiError } from '../api';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyButton } from '../components/CopyButton';
import { CredentialSettingsForm } from '../components/CredentialSettingsForm';
import { KeysSection } from '../components/KeysSection';
import { Link } from '../components/Link';
import { Loading } from '../components/Loading';
import { PoliciesSection } from '../components/PoliciesSection';
import { SecretsSection } from '../components/SecretsSection';
import { StatusBadge } from '../components/StatusBadge';
import { Tabs } from '../components/Tabs';
import { UsageSection } from '../components/UsageSection';
import { credentialStatus } from '../credentialStatus';
import { setFlash } from '../flash';
import { formatDateTime } from '../format';
import { navigate } from '../router';
import type { Credential } from '../types';
import { useAsync } from '../useAsync';
import { useDocumentTitle } from '../useDocumentTitle';
import { MessagePage } from './MessagePage';

const PARTS = ['settings', 'secrets', 'keys', 'policies', 'usage'] as const;
type Part = (typeof PARTS)[number];

/** The part named by `?tab=`, so that a link or a reload opens the same one; Settings otherwise. */
function partFrom(query: URLSearchParams): Part {
  const asked = query.get('tab');
  return PARTS.find((part) => part === asked) ?? 'settings';
}

interface CredentialDetailPageProps {
  credentialId: string;
  /** The page's own path, e.g. `/credentials/abc`, to which the selected tab is added. */
  path: string;
  query: URLSearchParams;
}

export function CredentialDetailPage({ credentialId, path, query }: CredentialDetailPageProps) {
  const load = useCallback(() => api.getCredential(credentialId), [credentialId]);
  const state = useAsync(load);
  const credential = state.data;
  useDocumentTitle(credential?.name ?? 'API credential');

  if (!credential) {
    if (state.error?.status === 404) {
      return (
        <MessagePage title="API credential not found">
          <p>It does not exist, or it is not yours to see.</p>
          <p>
            <Link to="/credentials">Back to list</Link>
          </p>
        </MessagePage>
      );
    }
    return state.error ? <Alert message={state.error.message} /> : <Loading />;
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to="/credentials">Back to list</Link>
      </p>
      <CredentialOverview credential={credential} onChange={state.setData} />
      <Tabs
        label="Parts of the API credential"
        selected={partFrom(query)}
        // Replace, not push: Back leaves the credential rather than stepping through its tabs.
        onSelect={(part) => navigate(part === 'settings' ? path : `${path}?tab=${part}`, { replace: true })}
        tabs={[
          {
            key: 'settings',
            label: 'Settings',
            panel: <CredentialSettingsForm credential={credential} onSaved={state.setData} />,
          },
          {
            key: 'secrets',
            label: 'Secrets',
            panel: <SecretsSection credential={credential} onChange={state.setData} />,
          },
          {
            key: 'keys',
            label: 'Keys and DPoP',
            panel: <KeysSection credential={credential} onChange={state.setData} />,
          },
          {
            key: 'policies',
            label: 'Policies',
            panel: <PoliciesSection credential={credential} onSaved={state.setData} />,
          },
          { key: 'usage', label: 'Usage', panel: <UsageSection credentialId={credential.id} /> },
        ]}
      />
    </>
  );
}

interface CredentialOverviewProps {
  credential: Credential;
  onChange: (credential: Credential) => void;
}

/**
 * The heading, the read-only facts, and the actions on the whole credential (enable/disable, revoke
 * its tokens, delete).
 */
function CredentialOverview({ credential, onChange }: CredentialOverviewProps) {
  const id = useId();
  const [alert, setAlert] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [confirmingRevoke, setConfirmingRevoke] = useState(false);

  async function toggleDisabled() {
    setBusy(true);
    setAlert(null);
    try {
      const updated = await api.updateCredential(credential.id, { disabled: !credential.disabled });
      onChange(updated);
      setAnnouncement(updated.disabled ? 'API credential disabled' : 'API credential enabled');
    } catch (error) {
      setAlert(toApiError(error).message);
    } finally {
      setBusy(false);
    }
  }

  async function revokeTokens() {
    try {
      const updated = await api.revokeCredentialTokens(credential.id);
      onChange(updated);
      setAnnouncement('Every token of this API credential was revoked');
    } catch (error) {
      setAlert(toApiError(error).message);
    } finally {
      setConfirmingRevoke(false);
    }
  }

  async function deleteCredential() {
    try {
      await api.deleteCredential(credential.id);
      setFlash(`Deleted ${credential.name}.`);
      navigate('/credentials');
    } catch (error) {
      setAlert(toApiError(error).message);
      setConfirmingDelete(false);
    }
  }

  return (
    <>
      <div className="page-header">
        <h1>{credential.name}</h1>
        <div className="page-actions">
          <button type="button" className="button" onClick={toggleDisabled} disabled={busy} aria-busy={busy}>
            {credential.disabled ? 'Enable' : 'Disable'}
          </button>
          <button type="button" className="button" onClick={() => setConfirmingRevoke(true)}>
            Revoke all tokens
          </button>
          <button type="button" className="button button-danger" onClick={() => setConfirmingDelete(true)}>
            Delete
          </button>
        </div>
      </div>
      <span className="visually-hidden" aria-live="polite">
        {announcement}
      </span>
      <Alert message={alert} />
      <dl className="panel facts">
        <div className="fact fact-wide">
          <dt>Client ID</dt>
          <dd className="fact-copy">
            <code id={`${id}-client-id`} className="mono">
              {credential.clientId}
            </code>
            <CopyButton text={credential.clientId} label="Copy client ID" targetId={`${id}-client-id`} />
          </dd>
        </div>
        <div className="fact">
          <dt>Owner</dt>
          <dd>{credential.ownerEmail ?? '—'}</dd>
        </div>
        <div className="fact">
          <dt>Created</dt>
          <dd>{formatDateTime(credential.createdAt)}</dd>
        </div>
        <div className="fact">
          <dt>Last used</dt>
          <dd>{formatDateTime(credential.lastUsedAt)}</dd>
        </div>
        <div className="fact">
          <dt>Expires</dt>
          <dd>{formatDateTime(credential.expiresAt)}</dd>
        </div>
        <div className="fact">
          <dt>Tokens revoked</dt>
          <dd>{formatDateTime(credential.tokensRevokedAt)}</dd>
        </div>
        <div className="fact">
          <dt>Status</dt>
          <dd>
            <StatusBadge label={credentialStatus(credential)} />
          </dd>
        </div>
      </dl>
      {confirmingRevoke && (
        <ConfirmDialog
          title="Revoke all tokens"
          message={`Revoke every access token ${credential.name} holds now? Programs get a new token on their next request; the client ID and secrets keep working.`}
          confirmLabel="Revoke all tokens"
          onConfirm={revokeTokens}
          onCancel={() => setConfirmingRevoke(false)}
        />
      )}
      {confirmingDelete && (
        <ConfirmDialog
          title="Delete API credential"
          message={`Delete ${credential.name}? Programs using this client ID will stop working.`}
          confirmLabel="Delete"
          onConfirm={deleteCredential}
          onCancel={() => setConfirmingDelete(false)}
        />
      )}
    </>
  );
}
