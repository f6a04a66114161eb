import { useEffect, useRef, useState } from 'react';

interface CopyButtonProps {
  text: string;
  /** The button's name, e.g. "Copy client secret". */
  label: string;
  /** The input or element holding the text, selected when the clipboard cannot be used. */
  targetId: string;
}

// Only the most recent copy shows its feedback, so two buttons never both say "Copied".
const COPIED_EVENT = 'keygate:copied';

function selectTarget(targetId: string): boolean {
  const target = document.getElementById(targetId);
  if (target instanceof HTMLInputElement) {
    target.focus();
    target.select();
  } else if (target) {
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  } else {
    return false;
  }
  // The old API still works where the async clipboard does not (plain HTTP, no permission).
  return document.execCommand('copy');
}

export function CopyButton({ text, label, targetId }: CopyButtonProps) {
  const [feedback, setFeedback] = useState('');
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    function onOtherCopy(event: Event) {
      if (event instanceof CustomEvent && event.detail !== targetId) setFeedback('');
    }
    window.addEventListener(COPIED_EVENT, onOtherCopy);
    return () => {
      window.removeEventListener(COPIED_EVENT, onOtherCopy);
      window.clearTimeout(timer.current);
    };
  }, [targetId]);

  function show(message: string) {
    setFeedback(message);
    window.dispatchEvent(new CustomEvent(COPIED_EVENT, { detail: targetId }));
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setFeedback(''), 4000);
  }

  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      show('Copied');
    } catch {
      show(selectTarget(targetId) ? 'Copied' : 'Selected: press Ctrl+C (⌘C) to copy');
    }
  }

  return (
    <span className="copy">
      <button type="button" className="button button-small" onClick={copy}>
        {label}
      </button>
      <span className="copy-feedback" aria-live="polite">
        {feedback}
      </span>
    </span>
  );
}
