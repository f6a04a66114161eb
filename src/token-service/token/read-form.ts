import { InvalidRequest } from '../../core/errors.js';

export type FormParameters = Readonly<Record<string, string>>;

/**
 * Step 1 of every endpoint of the token service: the parsed form body, each parameter at most
 * once (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once").
 */
export function readForm(body: unknown): FormParameters {
  if (body === undefined || body === null) {
    throw new InvalidRequest('The request body must be application/x-www-form-urlencoded');
  }
  if (typeof body !== 'object')
    throw new InvalidRequest('The request body must be application/x-www-form-urlencoded');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) throw new InvalidRequest(`The ${name} parameter is included more than once`);
    if (typeof value !== 'string') throw new InvalidRequest(`The ${name} parameter is malformed`);
    if (value !== '') params[name] = value; // RFC 6749 §3.1: parameters sent without a value are treated as omitted
  }
  return params;
}
