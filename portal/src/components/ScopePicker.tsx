import { useEffect, useRef } from 'react';
import type { Scope } from '../types';

interface ScopePickerProps {
  id: string;
  /** The catalogue from GET /scopes; only scopes this user may grant are offered. */
  catalogue: Scope[];
  value: string[];
  onChange: (scopes: string[]) => void;
  error?: string | undefined;
}

type FocusTarget = { list: 'chip' | 'option'; index: number };

/** A scope the credential holds that the catalogue no longer offers (its API document was removed). */
const UNAVAILABLE =
  'Unavailable: no configured API document declares this scope, so no token is issued for it';

/**
 * Chosen scopes as chips (× removes), then the grantable scopes as buttons (a click adds). Plain buttons
 * keep Tab, Enter and Space working; focus moves to a neighbour when the clicked button goes away.
 */
export function ScopePicker({ id, catalogue, value, onChange, error }: ScopePickerProps) {
  const container = useRef<HTMLFieldSetElement>(null);
  const pendingFocus = useRef<FocusTarget | null>(null);
  const available = catalogue.filter((scope) => scope.grantable && !value.includes(scope.value));
  const describe = (scope: string) => catalogue.find((entry) => entry.value === scope)?.description;

  useEffect(() => {
    const target = pendingFocus.current;
    if (!target || !container.current) return;
    pendingFocus.current = null;
    const chips = container.current.querySelectorAll<HTMLElement>('[data-chip-remove]');
    const options = container.current.querySelectorAll<HTMLElement>('[data-option]');
    const [preferred, fallback] = target.list === 'chip' ? [chips, options] : [options, chips];
    const element = preferred[Math.min(target.index, preferred.length - 1)] ?? fallback[0];
    element?.focus();
  });

  function add(scope: string, index: number) {
    pendingFocus.current = { list: 'option', index };
    onChange([...value, scope]);
  }

  function remove(scope: string, index: number) {
    pendingFocus.current = { list: 'chip', index };
    onChange(value.filter((chosen) => chosen !== scope));
  }

  return (
    <fieldset
      ref={container}
      className="field scope-picker"
      aria-labelledby={`${id}-label`}
      aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend id={`${id}-label`}>Scopes</legend>
      {value.length === 0 ? (
        <p className="hint">No scopes chosen yet: pick one or more below.</p>
      ) : (
        <ul className="chips" aria-label="Chosen scopes">
          {value.map((scope, index) => (
            <li key={scope} className="chip" title={describe(scope) ?? UNAVAILABLE}>
              <span className="mono">{scope}</span>
              {describe(scope) === undefined && <span className="chip-note">unavailable</span>}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${scope}`}
                data-chip-remove
                onClick={() => remove(scope, index)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="sublabel" id={`${id}-available`}>
        Available scopes
      </p>
      {available.length === 0 ? (
        <p className="hint">Every scope you may grant is chosen.</p>
      ) : (
        <ul className="scope-options" aria-labelledby={`${id}-available`}>
          {available.map((scope, index) => (
            <li key={scope.value}>
              <button
                type="button"
                className="scope-option"
                aria-label={scope.value}
                aria-describedby={`${id}-desc-${index}`}
                title={`${scope.description} (${scope.api})`}
                data-option
                onClick={() => add(scope.value, index)}
              >
                <span className="mono scope-value">{scope.value}</span>
                <span id={`${id}-desc-${index}`} className="scope-description">
                  {scope.description}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
