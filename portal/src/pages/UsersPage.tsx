import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { Alert } from '../components/Alert';
import { Loading } from '../components/Loading';
import { TextField } from '../components/TextField';
import { formatDateTime } from '../format';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { Licence } from '../types';
import { useAsync } from '../useAsync';
import { useDocumentTitle } from '../useDocumentTitle';

type LicenceChoice = Licence | 'none';

export function UsersPage() {
  useDocumentTitle('Users');
  const users = useAsync(api.listUsers);

  return (
    <>
      <h1>Users</h1>
      <p className="lede">
        People who can log in to this portal for your account, and the licence each one holds.
      </p>
      <Alert message={users.error?.message} />
      {users.data ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Licence</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.id}>
                  <td>{user.email}</td>
                  <td>{user.licence ?? 'none'}</td>
                  <td className="nowrap">{formatDateTime(user.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        users.loading && <Loading />
      )}
      <AddUserForm onAdded={users.reload} />
    </>
  );
}

function AddUserForm({ onAdded }: { onAdded: () => void }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [licence, setLicence] = useState<LicenceChoice>('supervisor');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setNotice('');
    try {
      const user = await api.createUser({
        email: email.trim(),
        password,
        licence: licence === 'none' ? null : licence,
      });
      setNotice(`Added ${user.email}.`);
      setEmail('');
      setPassword('');
      onAdded();
    } catch (error) {
      setErrors(formErrors(error, ['email', 'password', 'licence']));
    } finally {
      setBusy(false);
    }
  }

  const licenceError = errors.fields.licence;
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add user</h2>
      <form className="form-grid" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
        <Alert message={errors.alert} />
        <TextField
          id={`${id}-email`}
          label="Email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={setEmail}
          error={errors.fields.email}
        />
        <TextField
          id={`${id}-password`}
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
        />
        <div className="field">
          <label htmlFor={`${id}-licence`}>Licence</label>
          <select
            id={`${id}-licence`}
            className="input"
            value={licence}
            onChange={(event) => setLicence(event.target.value as LicenceChoice)}
            aria-invalid={licenceError ? true : undefined}
            aria-describedby={licenceError ? `${id}-licence-error` : undefined}
          >
            <option value="admin">admin</option>
            <option value="supervisor">supervisor</option>
            <option value="none">none</option>
          </select>
          {licenceError && (
            <p id={`${id}-licence-error`} className="field-error">
              {licenceError}
            </p>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            Add user
          </button>
          <p className="notice" role="status">
            {notice}
          </p>
        </div>
      </form>
    </section>
  );
}
