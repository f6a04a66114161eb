import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Loading } from '../components/Loading';
import { RowDangerButton } from '../components/RowDangerButton';
import { SecretDialog } from '../components/SecretPanel';
import { TextField } from '../components/TextField';
import { formatDateTime, fromDateInput } from '../format';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { ApiToken } from '../types';
import { useAsync } from '../useAsync';
import { useConfirmedAction } from '../useConfirmedAction';
import { useDocumentTitle } from '../useDocumentTitle';

export function ApiTokensPage() {
  useDocumentTitle('API tokens');
  const tokens = useAsync(api.listTokens);
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const revoking = useConfirmedAction(async (token: ApiToken) => {
    await api.deleteToken(token.id);
    setNotice(`Revoked ${token.name}.`);
    tokens.reload();
  }, setAlert);

  return (
    <>
      <h1>API tokens</h1>
      <p className="lede">
        A personal API token lets a script call the admin API as you, with your rights and never more: send it
        as <code className="mono">Authorization: Bearer kgp_…</code>.
      </p>
      <p className="notice" role="status">
        {notice}
      </p>
      <Alert message={alert ?? tokens.error?.message} />
      {tokens.data ? (
        tokens.data.length === 0 ? (
          <div className="panel empty">
            <p>No API tokens yet.</p>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((token) => (
                  <tr key={token.id}>
                    <td className="cell-name">{token.name}</td>
                    <td>
                      <code className="mono">{token.hint}…</code>
                    </td>
                    <td className="nowrap">{formatDateTime(token.createdAt)}</td>
                    <td className="nowrap">{formatDateTime(token.lastUsedAt)}</td>
                    <td className="nowrap">{formatDateTime(token.expiresAt)}</td>
                    <td className="cell-actions">
                      <RowDangerButton
                        label="Revoke"
                        name={`Revoke token ${token.name}`}
                        onClick={() => {
                          setNotice('');
                          revoking.ask(token);
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : (
        tokens.loading && <Loading />
      )}
      <CreateTokenForm onCreated={tokens.reload} />
      {revoking.pending && (
        <ConfirmDialog
          title="Revoke API token"
          message={`Revoke ${revoking.pending.name}? Scripts using it will stop working at once.`}
          confirmLabel="Revoke"
          onConfirm={revoking.confirm}
          onCancel={revoking.cancel}
        />
      )}
    </>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: () => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const expiresAt = fromDateInput(expires);
      const result = await api.createToken({
        name: name.trim(),
        ...(expiresAt === null ? {} : { expiresAt }),
      });
      setName('');
      setExpires('');
      setSecret(result.secret);
      onCreated();
    } catch (error) {
      setErrors(formErrors(error, ['name', 'expiresAt']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Create a token</h2>
      <form className="form-grid" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
        <Alert message={errors.alert} />
        <TextField
          id={`${id}-name`}
          label="Name"
          value={name}
          onChange={setName}
          error={errors.fields.name}
          hint="What the token is for, e.g. the script that uses it."
          autoComplete="off"
        />
        <TextField
          id={`${id}-expires`}
          label="Expires (optional)"
          type="date"
          value={expires}
          onChange={setExpires}
          error={errors.fields.expiresAt}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            Create token
          </button>
        </div>
      </form>
      {secret && (
        <SecretDialog
          title="Token created"
          warning="Copy the token now: you cannot retrieve it later."
          fields={[{ label: 'Token', value: secret, copyLabel: 'Copy token' }]}
          onOk={() => setSecret(null)}
        />
      )}
    </section>
  );
}
