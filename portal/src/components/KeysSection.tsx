import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { formatDateTime } from '../format';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { Credential, CredentialKey } from '../types';
import { useConfirmedAction } from '../useConfirmedAction';
import { Alert } from './Alert';
import { ConfirmDialog } from './ConfirmDialog';
import { PublicKeyField } from './PublicKeyField';
import { RowDangerButton } from './RowDangerButton';

interface KeysSectionProps {
  credential: Credential;
  onChange: (credential: Credential) => void;
}

/** Public keys (private_key_jwt) and whether tokens must be DPoP-bound: no shared secret to copy. */
export function KeysSection({ credential, onChange }: KeysSectionProps) {
  const id = useId();
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const removing = useConfirmedAction(async (key: CredentialKey) => {
    onChange(await api.removeKey(credential.id, key.id));
    setNotice(`Removed key ${key.thumbprint}`);
  }, setAlert);

  async function addKey(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setAlert(null);
    setNotice('');
    try {
      onChange(await api.addKey(credential.id, publicKey.trim()));
      setPublicKey('');
      setNotice('Added the key: assertions it signs authenticate this client now.');
    } catch (error) {
      setErrors(formErrors(error, ['publicKey']));
    } finally {
      setBusy(false);
    }
  }

  async function setDpop(requireDpop: boolean) {
    setAlert(null);
    setNotice('');
    try {
      onChange(await api.updateCredential(credential.id, { requireDpop }));
      setNotice(requireDpop ? 'Tokens must be DPoP-bound from now on.' : 'Bearer tokens are accepted again.');
    } catch (error) {
      setAlert(formErrors(error, []).alert);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Keys and DPoP</h2>
      <p className="hint">
        A program with a key signs each token request with its private key (private_key_jwt) instead of
        sending a secret. With DPoP required, its tokens work only with proofs by the program's own key.
      </p>
      <Alert message={alert ?? errors.alert} />
      <p className="notice" role="status">
        {notice}
      </p>
      <label className="choice field">
        <input
          type="checkbox"
          checked={credential.requireDpop}
          onChange={(event) => void setDpop(event.target.checked)}
        />{' '}
        Require DPoP-bound tokens
      </label>
      {credential.keys.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Key thumbprint</th>
                <th scope="col">Algorithms</th>
                <th scope="col">Added</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {credential.keys.map((key) => (
                <tr key={key.id}>
                  <td>
                    <code className="mono">{key.thumbprint}</code>
                  </td>
                  <td>{key.algorithms.join(', ')}</td>
                  <td className="nowrap">{formatDateTime(key.createdAt)}</td>
                  <td className="nowrap">{formatDateTime(key.lastUsedAt)}</td>
                  <td className="cell-actions">
                    <RowDangerButton
                      label="Remove"
                      name={`Remove key ${key.thumbprint}`}
                      onClick={() => {
                        setNotice('');
                        removing.ask(key);
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={addKey} noValidate>
        <PublicKeyField
          id={`${id}-key`}
          value={publicKey}
          onChange={setPublicKey}
          error={errors.fields.publicKey}
        />
        <button type="submit" className="button" disabled={busy || publicKey.trim() === ''} aria-busy={busy}>
          Add public key
        </button>
      </form>
      {removing.pending && (
        <ConfirmDialog
          title="Remove key"
          message={`Remove key ${removing.pending.thumbprint}? Programs signing with it will stop getting tokens at once.`}
          confirmLabel="Remove"
          onConfirm={removing.confirm}
          onCancel={removing.cancel}
        />
      )}
    </section>
  );
}
