import { type FormEvent, useEffect, useId, useState } from 'react';
import { api } from '../api';
import { Alert } from '../components/Alert';
import { TextField } from '../components/TextField';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { User } from '../types';
import { useDocumentTitle } from '../useDocumentTitle';

interface LoginPageProps {
  /** Why the user is here again, e.g. "Your session has ended, log in again". */
  notice: string | null;
  onLoggedIn: (user: User) => void;
}

export function LoginPage({ notice, onLoggedIn }: LoginPageProps) {
  useDocumentTitle('Log in');
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);

  // The only thing to do here is to type an email: start there.
  useEffect(() => {
    document.getElementById(`${id}-email`)?.focus();
  }, [id]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSubmitted(true);
    setErrors(NO_ERRORS);
    try {
      const { user } = await api.logIn(email.trim(), password);
      onLoggedIn(user);
    } catch (error) {
      setErrors(formErrors(error, ['email', 'password']));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login">
      <div className="login-card">
        <p className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Keygate
        </p>
        <h1>Log in to Keygate</h1>
        <Alert message={errors.alert ?? (submitted ? null : notice)} />
        <form onSubmit={submit} noValidate>
          <TextField
            id={`${id}-email`}
            label="Email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={setEmail}
            error={errors.fields.email}
          />
          <TextField
            id={`${id}-password`}
            label="Password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            error={errors.fields.password}
          />
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={busy}
            aria-busy={busy}
          >
            Log in
          </button>
        </form>
      </div>
    </main>
  );
}
