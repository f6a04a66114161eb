import { FieldNotes } from './TextField';

interface PublicKeyFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}

/** A public key pasted as PEM or JWK, with the warning that a private key never belongs here. */
export function PublicKeyField({ id, value, onChange, error }: PublicKeyFieldProps) {
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>Public key (PEM, JWK or X.509 certificate)</label>
      <textarea
        id={id}
        className="input"
        rows={5}
        spellCheck={false}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        placeholder="-----BEGIN PUBLIC KEY-----"
      />
      <FieldNotes
        id={id}
        hint="The public key only (EC P-256, RSA 2048+ or Ed25519). The private key stays with the program that signs with it: never paste it here."
        error={error}
      />
    </div>
  );
}
