import { type ReactNode, useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';

interface DialogProps {
  /** ID of the element that names the dialog (its heading). */
  labelledBy: string;
  describedBy?: string;
  /** Escape calls this; leave it out where Escape must not close (e.g. a one-time secret). */
  onEscape?: () => void;
  children: ReactNode;
  wide?: boolean;
}

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

function focusables(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.getClientRects().length > 0,
  );
}

let openDialogs = 0;

/** Hides the app behind a modal from the keyboard and from assistive technology. */
function hideBackground(): () => void {
  const root = document.getElementById('root');
  openDialogs++;
  if (root) {
    root.inert = true;
    root.setAttribute('aria-hidden', 'true');
  }
  return () => {
    openDialogs--;
    if (root && openDialogs === 0) {
      root.inert = false;
      root.removeAttribute('aria-hidden');
    }
  };
}

/**
 * A modal dialog: focus moves in (to `[data-autofocus]`, else the first control), Tab cycles inside,
 * Escape calls onEscape, and focus returns to the element that opened it.
 */
export function Dialog({ labelledBy, describedBy, onEscape, children, wide }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const onEscapeRef = useRef(onEscape);
  onEscapeRef.current = onEscape;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const showBackground = hideBackground();
    const initial = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? focusables(dialog)[0] ?? dialog;
    initial.focus();

    function onKeyDown(event: KeyboardEvent) {
      if (!dialog) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        onEscapeRef.current?.();
        return;
      }
      if (event.key !== 'Tab') return;
      const items = focusables(dialog);
      const first = items[0];
      const last = items[items.length - 1];
      if (!first || !last) {
        event.preventDefault();
        return;
      }
      // Anything not in the list (the dialog itself, its heading) counts as "before the first".
      const index = items.indexOf(document.activeElement as HTMLElement);
      if (event.shiftKey && index <= 0) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (index === -1 || index === items.length - 1)) {
        event.preventDefault();
        first.focus();
      }
    }

    // Focus that somehow lands outside (a click on the backdrop) comes back in.
    function onFocusIn(event: FocusEvent) {
      if (dialog && event.target instanceof Node && !dialog.contains(event.target)) {
        (focusables(dialog)[0] ?? dialog).focus();
      }
    }

    document.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('focusin', onFocusIn);
      showBackground();
      if (opener?.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={ref}
        className={wide ? 'dialog dialog-wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        tabIndex={-1}
      >
        {children}
      </div>
    </div>,
    document.body,
  );
}
