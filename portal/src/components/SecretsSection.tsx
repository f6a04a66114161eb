import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { formatDateTime, fromDateTimeInput } from '../format';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { Credential, Secret, SecretStatus } from '../types';
import { useConfirmedAction } from '../useConfirmedAction';
import { Alert } from './Alert';
import { ConfirmDialog } from './ConfirmDialog';
import { RowDangerButton } from './RowDangerButton';
import { SecretDialog } from './SecretPanel';
import { StatusBadge } from './StatusBadge';

interface SecretsSectionProps {
  credential: Credential;
  onChange: (credential: Credential) => void;
}

const STATUS_LABELS: Record<SecretStatus, string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** Rotation without downtime: add a secret (optionally ending the old ones later), then revoke the old one. */
export function SecretsSection({ credential, onChange }: SecretsSectionProps) {
  const id = useId();
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [expireOthersAt, setExpireOthersAt] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [newSecret, setNewSecret] = useState<string | null>(null);

  const revoking = useConfirmedAction(async (secret: Secret) => {
    onChange(await api.revokeSecret(credential.id, secret.id));
    setNotice(`Revoked secret ${secret.hint}…`);
  }, setAlert);

  async function addSecret(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setAlert(null);
    setNotice('');
    try {
      const expireOtherSecretsAt = fromDateTimeInput(expireOthersAt);
      const result = await api.addSecret(
        credential.id,
        expireOtherSecretsAt === null ? {} : { expireOtherSecretsAt },
      );
      onChange(result.credential);
      setExpireOthersAt('');
      setNewSecret(result.clientSecret);
    } catch (error) {
      setErrors(formErrors(error, ['expireOtherSecretsAt']));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = errors.fields.expireOtherSecretsAt;
  const describedBy = [`${id}-expire-hint`, fieldError ? `${id}-expire-error` : ''].filter(Boolean).join(' ');

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Secrets</h2>
      <p className="hint">
        To rotate without downtime: add a secret, deploy it, watch the old secret's last use stop moving, then
        revoke the old one.
      </p>
      <Alert message={alert ?? errors.alert} />
      <p className="notice" role="status">
        {notice}
      </p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Secret</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {credential.secrets.map((secret) => (
              <tr key={secret.id}>
                <td>
                  <code className="mono">{secret.hint}…</code>
                </td>
                <td className="nowrap">{formatDateTime(secret.createdAt)}</td>
                <td className="nowrap">{formatDateTime(secret.lastUsedAt)}</td>
                <td className="nowrap">{formatDateTime(secret.expiresAt)}</td>
                <td>
                  <StatusBadge label={STATUS_LABELS[secret.status] ?? secret.status} />
                </td>
                <td className="cell-actions">
                  {secret.status !== 'revoked' && (
                    <RowDangerButton
                      label="Revoke"
                      name={`Revoke secret ${secret.hint}`}
                      onClick={() => {
                        setNotice('');
                        revoking.ask(secret);
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="inline-form" onSubmit={addSecret} noValidate>
        <div className="field field-narrow">
          <label htmlFor={`${id}-expire`}>Old secrets expire at</label>
          <input
            id={`${id}-expire`}
            className="input"
            type="datetime-local"
            value={expireOthersAt}
            onChange={(event) => setExpireOthersAt(event.target.value)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={describedBy}
          />
          <p id={`${id}-expire-hint`} className="hint">
            Optional: when the current secrets stop working. Leave empty to keep them until you revoke them.
          </p>
          {fieldError && (
            <p id={`${id}-expire-error`} className="field-error">
              {fieldError}
            </p>
          )}
        </div>
        <button type="submit" className="button" disabled={busy} aria-busy={busy}>
          Add secret
        </button>
      </form>
      {revoking.pending && (
        <ConfirmDialog
          title="Revoke secret"
          message={`Revoke secret ${revoking.pending.hint}…? Programs using it will stop working at once.`}
          confirmLabel="Revoke"
          onConfirm={revoking.confirm}
          onCancel={revoking.cancel}
        />
      )}
      {newSecret && (
        <SecretDialog
          title="New secret created"
          warning="Copy the client secret now: you cannot retrieve it later."
          fields={[{ label: 'Client secret', value: newSecret, copyLabel: 'Copy client secret' }]}
          onOk={() => setNewSecret(null)}
        />
      )}
    </section>
  );
}
