import { InvalidRequest, UnsupportedGrantType } from '../../core/errors.js';
import type { FormParameters } from './read-form.js';

/** Step 3: Keygate serves the client credentials grant (RFC 6749 §4.4) and nothing else. */
export function checkGrantType(params: FormParameters): void {
  if (params.grant_type === undefined) throw new InvalidRequest('The grant_type parameter is missing');
  if (params.grant_type !== 'client_credentials') throw new UnsupportedGrantType('Invalid grant_type');
}
