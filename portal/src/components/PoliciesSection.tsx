import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { type FormErrors, formErrors, NO_ERRORS } from '../formErrors';
import type { Credential, TokenQuota } from '../types';
import { Alert } from './Alert';
import { FieldNotes, TextField } from './TextField';

interface PoliciesSectionProps {
  credential: Credential;
  onSaved: (credential: Credential) => void;
}

const rangesText = (ranges: readonly string[]) => ranges.join(' ');
const metadataText = (metadata: Readonly<Record<string, string>>) =>
  Object.entries(metadata)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');

function parseMetadata(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    // The service says what is wrong with a key; a line without "=" is a key with no value.
    if (at < 0) pairs[line.trim()] = '';
    else pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return pairs;
}

/** Where the credential may be used from, how many tokens it may get, and what its tokens say of it. */
export function PoliciesSection({ credential, onSaved }: PoliciesSectionProps) {
  const id = useId();
  const [ranges, setRanges] = useState(rangesText(credential.allowedCidrs));
  const [quotaLimit, setQuotaLimit] = useState(
    credential.tokenQuota ? String(credential.tokenQuota.limit) : '',
  );
  const [quotaPeriod, setQuotaPeriod] = useState<TokenQuota['period']>(
    credential.tokenQuota?.period ?? 'hour',
  );
  const [callLimit, setCallLimit] = useState(credential.callLimit ? String(credential.callLimit.limit) : '');
  const [callWindow, setCallWindow] = useState(String(credential.callLimit?.windowSeconds ?? 60));
  const [metadata, setMetadata] = useState(metadataText(credential.metadata));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setStatus('');
    try {
      const saved = await api.updateCredential(credential.id, {
        allowedCidrs: ranges.split(/[\s,]+/).filter(Boolean),
        tokenQuota: quotaLimit.trim() === '' ? null : { limit: Number(quotaLimit), period: quotaPeriod },
        callLimit:
          callLimit.trim() === '' ? null : { limit: Number(callLimit), windowSeconds: Number(callWindow) },
        metadata: parseMetadata(metadata),
      });
      onSaved(saved);
      setRanges(rangesText(saved.allowedCidrs));
      setMetadata(metadataText(saved.metadata));
      setStatus('Saved');
    } catch (error) {
      setErrors(formErrors(error, ['allowedCidrs', 'tokenQuota', 'callLimit', 'metadata']));
    } finally {
      setBusy(false);
    }
  }

  const metadataError = errors.fields.metadata;
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Policies</h2>
      <form onSubmit={submit} noValidate>
        <Alert message={errors.alert} />
        <TextField
          id={`${id}-ranges`}
          label="Allowed address ranges"
          value={ranges}
          onChange={setRanges}
          error={errors.fields.allowedCidrs}
          hint="IPv4 or IPv6 ranges, separated by spaces: 203.0.113.0/24 2001:db8::/32. Empty: anywhere."
          autoComplete="off"
        />
        <CountPerWindow
          id={`${id}-quota`}
          legend="Token quota"
          noun="Tokens"
          count={quotaLimit}
          onCount={setQuotaLimit}
          window={quotaPeriod}
          onWindow={(value) => setQuotaPeriod(value as TokenQuota['period'])}
          windows={[
            ['hour', 'hour'],
            ['day', 'day'],
          ]}
          error={errors.fields.tokenQuota}
          hint="Empty: no quota."
        />
        <CountPerWindow
          id={`${id}-calls`}
          legend="API call limit"
          noun="Calls"
          count={callLimit}
          onCount={setCallLimit}
          window={callWindow}
          onWindow={setCallWindow}
          windows={[
            ['1', 'second'],
            ['60', 'minute'],
            ['3600', 'hour'],
            ['86400', 'day'],
          ]}
          error={errors.fields.callLimit}
          hint="It can only lower the account plan's limit. Empty: the plan's."
        />
        <div className="field">
          <label htmlFor={`${id}-metadata`}>Metadata (key=value, one a line)</label>
          <textarea
            id={`${id}-metadata`}
            className="input"
            rows={4}
            spellCheck={false}
            value={metadata}
            onChange={(event) => setMetadata(event.target.value)}
            aria-invalid={metadataError ? true : undefined}
            aria-describedby={`${id}-metadata-hint${metadataError ? ` ${id}-metadata-error` : ''}`}
          />
          <FieldNotes
            id={`${id}-metadata`}
            hint="Copied into every token and shown to every API the credential calls: never put secrets here."
            error={metadataError}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            Save policies
          </button>
          <p className="notice" role="status">
            {status}
          </p>
        </div>
      </form>
    </section>
  );
}

interface CountPerWindowProps {
  id: string;
  legend: string;
  /** What is counted, as the labels say it: "Tokens at most", "Tokens per". */
  noun: string;
  count: string;
  onCount: (value: string) => void;
  window: string;
  onWindow: (value: string) => void;
  /** The windows offered, as [value, label]. */
  windows: ReadonlyArray<readonly [string, string]>;
  error: string | undefined;
  hint: string;
}

/** "At most N per window": a number and the window it counts in. */
function CountPerWindow({
  id,
  legend,
  noun,
  count,
  onCount,
  window,
  onWindow,
  windows,
  error,
  hint,
}: CountPerWindowProps) {
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      <div className="field-row">
        <TextField
          id={id}
          label={`${noun} at most`}
          type="number"
          min={1}
          value={count}
          onChange={onCount}
          error={error}
          hint={hint}
          className="field-narrow"
        />
        <div className="field field-narrow">
          <label htmlFor={`${id}-window`}>{noun} per</label>
          <select
            id={`${id}-window`}
            className="input"
            value={window}
            onChange={(event) => onWindow(event.target.value)}
          >
            {windows.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </fieldset>
  );
}
