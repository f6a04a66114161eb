import { type Licence, ScopeCatalogue, type ScopeDefinition, VCC_SCOPES } from '../core/scopes.js';
import { type ApiDocument, ApiDocumentError, routesFromDocument } from './api-document.js';

/** One API document of the operator's, with where it came from for the messages. */
export interface DeclaringDocument {
  readonly document: ApiDocument;
  /** The file it was read from. */
  readonly where: string;
}

/** RFC 6749 §3.3's scope-token: printable ASCII but space, `"` and `\`; bounded like a credential name. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;
const LICENCES: readonly Licence[] = ['admin', 'supervisor'];

/**
 * The catalogue: VCC's scopes, then every scope an API document declares in
 * `components.securitySchemes` (an `oauth2` scheme's `flows.clientCredentials.scopes`, value →
 * description; `x-keygate-grantable-by` on the scheme maps a scope to the licences that may grant
 * it, admin only by default). Refused, naming the file: a scope that an operation requires and no
 * document (nor VCC) declares, and one scope declared two different ways.
 */
export function scopeCatalogueFrom(documents: readonly DeclaringDocument[]): ScopeCatalogue {
  const declared = new Map<string, { scope: ScopeDefinition; where: string }>(
    VCC_SCOPES.map((scope) => [scope.value, { scope, where: 'the VCC catalogue' }]),
  );
  for (const { document, where } of documents) {
    for (const scope of declaredScopes(document, where)) {
      const earlier = declared.get(scope.value);
      if (earlier && !sameDeclaration(earlier.scope, scope)) {
        throw new ApiDocumentError(
          `${where}: declares the scope ${scope.value} as ${describe(scope)}, but ${earlier.where} declares it as ${describe(earlier.scope)}; declare it one way`,
        );
      }
      if (!earlier) declared.set(scope.value, { scope, where });
    }
  }
  for (const { document, where } of documents) {
    for (const route of routesFromDocument(document, where)) {
      const missing = route.scopes.find((scope) => !declared.has(scope));
      if (missing !== undefined) {
        throw new ApiDocumentError(
          `${where}: ${route.method} ${route.path} requires the scope ${missing}, which no API document declares; add it to components.securitySchemes.<name>.flows.clientCredentials.scopes`,
        );
      }
    }
  }
  return new ScopeCatalogue([...declared.values()].map(({ scope }) => scope));
}

/** The scopes one document declares, checked. */
function declaredScopes(document: ApiDocument, where: string): ScopeDefinition[] {
  const schemes = (document.components as { securitySchemes?: unknown } | undefined)?.securitySchemes;
  if (schemes === undefined) return [];
  if (!isRecord(schemes))
    throw new ApiDocumentError(`${where}: components.securitySchemes must be an object`);
  const api = typeof document.info?.title === 'string' ? document.info.title : document['x-keygate-api'];
  const scopes: ScopeDefinition[] = [];
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isRecord(scheme) || scheme.type !== 'oauth2') continue;
    const at = `${where}: components.securitySchemes.${name}`;
    const flows = isRecord(scheme.flows) ? scheme.flows : {};
    const values = isRecord(flows.clientCredentials) ? flows.clientCredentials.scopes : undefined;
    if (values === undefined) continue;
    if (!isRecord(values))
      throw new ApiDocumentError(`${at}.flows.clientCredentials.scopes must be an object`);
    const grantable = grantableBy(scheme['x-keygate-grantable-by'], Object.keys(values), at);
    for (const [value, description] of Object.entries(values)) {
      if (!SCOPE_TOKEN.test(value)) {
        throw new ApiDocumentError(
          `${at}: ${JSON.stringify(value)} is not a scope (1–100 printable ASCII characters, no space, " or \\)`,
        );
      }
      if (typeof description !== 'string' || description.trim() === '' || description.length > 200) {
        throw new ApiDocumentError(`${at}: the scope ${value} needs a description of 1–200 characters`);
      }
      scopes.push({
        value,
        description: description.trim(),
        api,
        grantableBy: grantable.get(value) ?? ['admin'],
      });
    }
  }
  return scopes;
}

/** `x-keygate-grantable-by`: scope → licences; admin may always grant. */
function grantableBy(raw: unknown, declared: readonly string[], at: string): Map<string, readonly Licence[]> {
  const result = new Map<string, readonly Licence[]>();
  if (raw === undefined) return result;
  const shape = `${at}.x-keygate-grantable-by must map declared scopes to lists of licences (admin, supervisor)`;
  if (!isRecord(raw)) throw new ApiDocumentError(shape);
  for (const [value, licences] of Object.entries(raw)) {
    if (!declared.includes(value)) {
      throw new ApiDocumentError(
        `${at}.x-keygate-grantable-by names ${value}, which this scheme does not declare`,
      );
    }
    if (!Array.isArray(licences) || !licences.every((l) => LICENCES.includes(l as Licence))) {
      throw new ApiDocumentError(shape);
    }
    result.set(
      value,
      LICENCES.filter((licence) => licence === 'admin' || licences.includes(licence)),
    );
  }
  return result;
}

function sameDeclaration(a: ScopeDefinition, b: ScopeDefinition): boolean {
  return (
    a.description === b.description &&
    a.grantableBy.length === b.grantableBy.length &&
    a.grantableBy.every((licence) => b.grantableBy.includes(licence))
  );
}

function describe(scope: ScopeDefinition): string {
  return `${JSON.stringify(scope.description)} (grantable by ${scope.grantableBy.join(' and ')})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
