import { type ApiError, toApiError } from './api';

export interface FormErrors {
  /** Messages keyed by the form's own field names. */
  fields: Record<string, string>;
  /** A message that belongs to no field of this form, for the alert region. */
  alert: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, alert: null };

/**
 * Puts an API error next to the field it names when the form has that field (`scopes.0` → `scopes`),
 * otherwise in the form's alert region.
 */
export function formErrors(error: unknown, fieldNames: readonly string[]): FormErrors {
  const apiError: ApiError = toApiError(error);
  const field = apiError.field?.split(/[.[]/)[0];
  if (field !== undefined && fieldNames.includes(field)) {
    return { fields: { [field]: apiError.message }, alert: null };
  }
  return { fields: {}, alert: apiError.message };
}
