import { useId } from 'react';
import { CopyButton } from './CopyButton';
import { Dialog } from './Dialog';

export interface SecretField {
  label: string;
  value: string;
  copyLabel: string;
}

interface SecretPanelProps {
  title: string;
  warning: string;
  fields: SecretField[];
  onOk: () => void;
}

/** Shows values that the API returns once (client secret, personal token), each with a copy button. */
export function SecretPanelContent({
  title,
  warning,
  fields,
  onOk,
  titleId,
}: SecretPanelProps & { titleId: string }) {
  const id = useId();
  return (
    <>
      <h2 id={titleId} className="dialog-title" tabIndex={-1} data-autofocus>
        {title}
      </h2>
      <p className="warning" id={`${titleId}-warning`}>
        {warning}
      </p>
      {fields.map((field, index) => {
        const inputId = `${id}-${index}`;
        return (
          <div className="field" key={field.label}>
            <label htmlFor={inputId}>{field.label}</label>
            <div className="secret-row">
              <input
                id={inputId}
                className="input mono"
                readOnly
                value={field.value}
                spellCheck={false}
                autoComplete="off"
                onFocus={(event) => event.currentTarget.select()}
              />
              <CopyButton text={field.value} label={field.copyLabel} targetId={inputId} />
            </div>
          </div>
        );
      })}
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onOk}>
          OK
        </button>
      </div>
    </>
  );
}

/**
 * The one-time secret as a modal. Escape does not close it: the value cannot be shown again, so
 * leaving takes a deliberate OK.
 */
export function SecretDialog(props: SecretPanelProps) {
  const titleId = useId();
  return (
    <Dialog labelledBy={titleId} describedBy={`${titleId}-warning`} wide>
      <SecretPanelContent {...props} titleId={titleId} />
    </Dialog>
  );
}
