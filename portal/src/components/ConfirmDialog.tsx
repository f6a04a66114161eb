import { useId, useState } from 'react';
import { Dialog } from './Dialog';

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  /** The dialog closes when this settles; the caller shows any error on its page. */
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}

/** Confirms a destructive action; Cancel has the initial focus so Enter never destroys by accident. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const id = useId();
  const [busy, setBusy] = useState(false);

  async function confirm() {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog labelledBy={`${id}-title`} describedBy={`${id}-message`} onEscape={busy ? undefined : onCancel}>
      <h2 id={`${id}-title`} className="dialog-title">
        {title}
      </h2>
      <p id={`${id}-message`}>{message}</p>
      <div className="dialog-actions">
        <button
          type="button"
          className="button button-danger"
          onClick={confirm}
          disabled={busy}
          aria-busy={busy}
        >
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy} data-autofocus>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
