import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { fromDateInput } from '../format';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { Credential } from '../types';
import { useAsync } from '../useAsync';
import { Alert } from './Alert';
import { Dialog } from './Dialog';
import { Loading } from './Loading';
import { PublicKeyField } from './PublicKeyField';
import { ScopePicker } from './ScopePicker';
import { SecretPanelContent } from './SecretPanel';
import { TextField } from './TextField';

interface CreateCredentialDialogProps {
  onCreated: (credential: Credential) => void;
  onClose: () => void;
}

/** "Create New": Name + Scopes (+ expiry) → Save → the client ID and the one-time secret → OK. */
export function CreateCredentialDialog({ onCreated, onClose }: CreateCredentialDialogProps) {
  const id = useId();
  const catalogue = useAsync(api.listScopes);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [withKey, setWithKey] = useState(false);
  const [publicKey, setPublicKey] = useState('');
  const [requireDpop, setRequireDpop] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ clientId: string; clientSecret?: string | undefined } | null>(
    null,
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const expiresAt = fromDateInput(expires);
      const result = await api.createCredential({
        name: name.trim(),
        scopes,
        ...(expiresAt === null ? {} : { expiresAt }),
        ...(withKey ? { publicKeys: [publicKey.trim()] } : {}),
        ...(requireDpop ? { requireDpop } : {}),
      });
      setCreated({ clientId: result.credential.clientId, clientSecret: result.clientSecret });
      onCreated(result.credential);
    } catch (error) {
      setErrors(formErrors(error, ['name', 'scopes', 'expiresAt', 'publicKey', 'publicKeys']));
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    // A new Dialog (key) so focus moves to the success view and Escape no longer closes.
    const { clientId, clientSecret } = created;
    return (
      <Dialog key="created" labelledBy={`${id}-created`} describedBy={`${id}-created-warning`} wide>
        <SecretPanelContent
          titleId={`${id}-created`}
          title="API credential created"
          warning={
            clientSecret === undefined
              ? 'This credential has no secret: the program signs each token request with its private key (private_key_jwt).'
              : 'Copy the client secret now: you cannot retrieve it later.'
          }
          fields={[
            { label: 'Client ID', value: clientId, copyLabel: 'Copy client ID' },
            ...(clientSecret === undefined
              ? []
              : [{ label: 'Client secret', value: clientSecret, copyLabel: 'Copy client secret' }]),
          ]}
          onOk={onClose}
        />
      </Dialog>
    );
  }

  return (
    <Dialog key="form" labelledBy={`${id}-title`} onEscape={busy ? undefined : onClose} wide>
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`} className="dialog-title">
          Create API credential
        </h2>
        <Alert message={errors.alert} />
        <TextField
          id={`${id}-name`}
          label="Name"
          value={name}
          onChange={setName}
          error={errors.fields.name}
          hint="Say what the credentials are for; you can change the name later."
          autoComplete="off"
        />
        {catalogue.data ? (
          <ScopePicker
            id={`${id}-scopes`}
            catalogue={catalogue.data}
            value={scopes}
            onChange={setScopes}
            error={errors.fields.scopes}
          />
        ) : catalogue.error ? (
          <Alert message={catalogue.error.message} />
        ) : (
          <Loading />
        )}
        <TextField
          id={`${id}-expires`}
          label="Expires (optional)"
          type="date"
          value={expires}
          onChange={setExpires}
          error={errors.fields.expiresAt}
          hint="The credentials stop working after this day. Leave empty for no expiry."
          className="field-narrow"
        />
        <fieldset className="field">
          <legend>Authentication</legend>
          <label className="choice">
            <input type="radio" name={`${id}-auth`} checked={!withKey} onChange={() => setWithKey(false)} />{' '}
            Client secret, shown once
          </label>
          <label className="choice">
            <input type="radio" name={`${id}-auth`} checked={withKey} onChange={() => setWithKey(true)} />{' '}
            Public key, no secret (private_key_jwt)
          </label>
        </fieldset>
        {withKey && (
          <PublicKeyField
            id={`${id}-key`}
            value={publicKey}
            onChange={setPublicKey}
            error={errors.fields.publicKey ?? errors.fields.publicKeys}
          />
        )}
        <label className="choice field">
          <input
            type="checkbox"
            checked={requireDpop}
            onChange={(event) => setRequireDpop(event.target.checked)}
          />{' '}
          Require DPoP-bound tokens (a copied token is useless without the client's key)
        </label>
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            Save API credential
          </button>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
