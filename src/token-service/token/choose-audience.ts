import { apiResources } from '../../config/api-resources.js';
import type { Config } from '../../config/schema.js';
import { InvalidTarget } from '../../core/errors.js';
import type { FormParameters } from './read-form.js';

/**
 * RFC 8707 §2: the API the token is for. `resource` (or `audience`, as Auth0 and some clients name
 * it) must be one of the configured API documents' `resource`s, and the token then carries it as
 * `aud`, admitted by that API's routes only; without either, the gateway's own audience, which
 * every route admits.
 */
export function chooseAudience(
  params: FormParameters,
  config: Pick<Config, 'audience' | 'apiDocuments'>,
): string {
  const { resource, audience } = params;
  if (resource !== undefined && audience !== undefined && resource !== audience) {
    throw new InvalidTarget('Send resource or audience, not both');
  }
  const asked = resource ?? audience;
  if (asked === undefined || asked === config.audience) return config.audience;
  if (apiResources(config).includes(asked)) return asked;
  throw new InvalidTarget('The resource names no API of this gateway');
}
