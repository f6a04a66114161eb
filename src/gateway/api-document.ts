/**
 * The slice of OpenAPI 3.1 the gateway reads: paths, methods, and each operation's security
 * requirements (the scopes it accepts, any of them). `x-keygate-versions` lists the versions an
 * API serves through `Accept: application/vnd.newvoicemedia.v{n}+json`.
 */
export interface ApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  'x-keygate-api': string;
  'x-keygate-versions'?: number[];
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
  [extension: string]: unknown;
}

export interface ApiRoute {
  api: string;
  method: string;
  /** The path as OpenAPI writes it (`/agents/{userId}/presence`). */
  path: string;
  /** The same path in the router's syntax (`/agents/:userId/presence`). */
  routerPath: string;
  /** Any one of these scopes admits the call. */
  scopes: string[];
  versions: number[];
  /** The API's own audience (RFC 8707 `resource`), where configured: tokens for it are admitted here. */
  resource?: string | undefined;
}

export class ApiDocumentError extends Error {
  override name = 'ApiDocumentError';
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * Routes from one API document. Default-deny: an operation without a `security` requirement
 * naming at least one scope is a configuration error, never an open route.
 */
export function routesFromDocument(document: ApiDocument, where: string): ApiRoute[] {
  const api = document['x-keygate-api'];
  if (typeof api !== 'string' || api === '')
    throw new ApiDocumentError(`${where}: x-keygate-api must name the API`);
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
    throw new ApiDocumentError(`${where}: not an OpenAPI 3 document`);
  }
  const globalSecurity = document.security;
  const routes: ApiRoute[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!path.startsWith('/')) throw new ApiDocumentError(`${where}: path ${path} must start with /`);
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const security = (operation as { security?: unknown }).security ?? globalSecurity;
      const scopes = scopesOf(security);
      if (scopes.length === 0) {
        throw new ApiDocumentError(
          `${where}: ${method.toUpperCase()} ${path} declares no security requirement with a scope; every operation behind the gateway must name the scopes it accepts`,
        );
      }
      routes.push({
        api,
        method: method.toUpperCase(),
        path,
        routerPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        scopes,
        versions: document['x-keygate-versions'] ?? [],
      });
    }
  }
  return routes;
}

function scopesOf(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  const scopes: string[] = [];
  for (const requirement of security) {
    if (typeof requirement !== 'object' || requirement === null) continue;
    for (const list of Object.values(requirement)) {
      if (!Array.isArray(list)) continue;
      for (const scope of list) if (typeof scope === 'string' && !scopes.includes(scope)) scopes.push(scope);
    }
  }
  return scopes;
}
