/**
 * The admin API's resources and answers, named for the portal. Their shapes are not written here:
 * they come from the API's OpenAPI document (admin-api.generated.ts, `npm run generate:portal-types`),
 * so a field the server adds, drops or retypes changes them too. Times are ISO 8601 strings in UTC.
 */
import type { components, paths } from './admin-api.generated';

type Schemas = components['schemas'];

export type User = Schemas['User'];
export type Licence = NonNullable<User['licence']>;
export type Scope = Schemas['Scope'];
export type Secret = Schemas['Secret'];
export type SecretStatus = Secret['status'];
export type CredentialKey = Schemas['CredentialKey'];
export type Credential = Schemas['Credential'];
export type TokenQuota = NonNullable<Credential['tokenQuota']>;
export type AuditEntry = Schemas['AuditEntry'];
export type ApiToken = Schemas['ApiToken'];

/** A path of the admin API as its routes declare it (`/credentials/{id}`), without the /admin/v1 prefix. */
export type AdminPath = Unprefixed<keyof paths>;
type Unprefixed<Path> = Path extends `/admin/v1${infer Rest}` ? Rest : never;
export type Method = 'get' | 'post' | 'patch' | 'delete';
type Operation<P extends AdminPath, M extends Method> = paths[`/admin/v1${P}`][M];
type JsonOf<Part> = Part extends { content: { 'application/json': infer Json } } ? Json : never;

/** The JSON body an operation takes; never for one that takes none. */
export type RequestBody<P extends AdminPath, M extends Method> =
  Operation<P, M> extends { requestBody?: infer Body } ? JsonOf<NonNullable<Body>> : never;
/** The path parameters (`{id}`) of an operation; never for a path without any. */
export type PathParams<P extends AdminPath, M extends Method> =
  Operation<P, M> extends { parameters: { path: infer Params } } ? Params : never;
/** The query parameters of an operation; never for one that takes none. */
export type Query<P extends AdminPath, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Params } } ? NonNullable<Params> : never;
/** What an operation answers when it succeeds: its 200 or 201 JSON, or nothing for a 204. */
export type Answer<P extends AdminPath, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: infer Ok }
      ? JsonOf<Ok>
      : R extends { 201: infer Created }
        ? JsonOf<Created>
        : R extends { 204: unknown }
          ? undefined
          : never
    : never;

export type SessionInfo = Answer<'/session', 'get'>;
export type OwnerFilter = NonNullable<Query<'/credentials', 'get'>['owner']>;
export type Usage = Answer<'/credentials/{id}/usage', 'get'>;
export type UsageRow = Usage['days'][number];
/** A refusal by the credential's own policies, counted per day and reason. */
export type Refusal = Usage['refusals'][number];
