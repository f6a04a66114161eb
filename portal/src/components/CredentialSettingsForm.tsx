import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { fromDateInput, toDateInput } from '../format';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { Credential } from '../types';
import { useAsync } from '../useAsync';
import { Alert } from './Alert';
import { Loading } from './Loading';
import { ScopePicker } from './ScopePicker';
import { TextField } from './TextField';

interface CredentialSettingsFormProps {
  credential: Credential;
  onSaved: (credential: Credential) => void;
}

type Changes = Parameters<typeof api.updateCredential>[1];

const sameScopes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((scope) => b.includes(scope));

/** Name, scopes and expiry; Save sends only what differs from the stored credential. */
export function CredentialSettingsForm({ credential, onSaved }: CredentialSettingsFormProps) {
  const id = useId();
  const catalogue = useAsync(api.listScopes);
  const [name, setName] = useState(credential.name);
  const [scopes, setScopes] = useState<string[]>(credential.scopes);
  const [expires, setExpires] = useState(toDateInput(credential.expiresAt));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  // Any edit makes an earlier "Saved" stale.
  function edited<T>(set: (value: T) => void) {
    return (value: T) => {
      setStatus('');
      set(value);
    };
  }

  function changes(): Changes {
    const result: Changes = {};
    if (name.trim() !== credential.name) result.name = name.trim();
    if (!sameScopes(scopes, credential.scopes)) result.scopes = scopes;
    if (expires !== toDateInput(credential.expiresAt)) result.expiresAt = fromDateInput(expires);
    return result;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = changes();
    setErrors(NO_ERRORS);
    if (Object.keys(body).length === 0) {
      setStatus('No changes to save');
      return;
    }
    setBusy(true);
    setStatus('');
    try {
      const saved = await api.updateCredential(credential.id, body);
      onSaved(saved);
      setName(saved.name);
      setScopes(saved.scopes);
      setExpires(toDateInput(saved.expiresAt));
      setStatus('Saved');
    } catch (error) {
      setErrors(formErrors(error, ['name', 'scopes', 'expiresAt']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Settings</h2>
      <form onSubmit={submit} noValidate>
        <Alert message={errors.alert} />
        <TextField
          id={`${id}-name`}
          label="Name"
          value={name}
          onChange={edited(setName)}
          error={errors.fields.name}
          autoComplete="off"
        />
        {catalogue.data ? (
          <ScopePicker
            id={`${id}-scopes`}
            catalogue={catalogue.data}
            value={scopes}
            onChange={edited(setScopes)}
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
          onChange={edited(setExpires)}
          error={errors.fields.expiresAt}
          hint="The credentials stop working after this day. Leave empty for no expiry."
          className="field-narrow"
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            Save changes
          </button>
          <p className="notice" role="status">
            {status}
          </p>
        </div>
      </form>
    </section>
  );
}
