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
        <fieldset className="field">
          <legend>Token quota</legend>
          <div className="inline-form">
            <TextField
              id={`${id}-quota`}
              label="Tokens at most"
              type="number"
              min={1}
              value={quotaLimit}
              onChange={setQuotaLimit}
              error={errors.fields.tokenQuota}
              hint="Empty: no quota."
              className="field-narrow"
            />
            <div className="field field-narrow">
              <label htmlFor={`${id}-period`}>Tokens per</label>
              <select
                id={`${id}-period`}
                className="input"
                value={quotaPeriod}
                onChange={(event) => setQuotaPeriod(event.target.value as TokenQuota['period'])}
              >
                <option value="hour">hour</option>
                <option value="day">day</option>
              </select>
            </div>
          </div>
        </fieldset>
        <fieldset className="field">
          <legend>API call limit</legend>
          <div className="inline-form">
            <TextField
              id={`${id}-calls`}
              label="Calls at most"
              type="number"
              min={1}
              value={callLimit}
              onChange={setCallLimit}
              error={errors.fields.callLimit}
              hint="Empty: the account plan's limit."
              className="field-narrow"
            />
            <div className="field field-narrow">
              <label htmlFor={`${id}-window`}>Calls per</label>
              <select
                id={`${id}-window`}
                className="input"
                value={callWindow}
                onChange={(event) => setCallWindow(event.target.value)}
              >
                <option value="1">second</option>
                <option value="60">minute</option>
                <option value="3600">hour</option>
                <option value="86400">day</option>
              </select>
            </div>
          </div>
        </fieldset>
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
