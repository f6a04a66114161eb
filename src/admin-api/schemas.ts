import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/**
 * JSON Schemas of the admin API's resources. Routes declare them for validation and serialisation,
 * the OpenAPI document at /admin/v1/openapi.json is generated from the routes, and the TypeScript
 * types of bodies and answers are derived from them (json-schema-to-ts), so neither the document
 * nor the types can drift from the code. Every schema is `as const`: the types are read from its
 * literal value.
 */

const dateTime = { type: 'string', format: 'date-time' } as const;
/** What a credential's metadata may hold (core/credential-metadata.ts has the rule), for the OpenAPI document. */
export const METADATA_DESCRIPTION =
  'Key/value pairs its tokens carry in keygate_metadata and upstreams receive in X-Keygate-Metadata; never for secrets. ' +
  'At most 20 pairs; keys of lower-case letters, digits and _.- (40 at most); values of printable text, 200 characters ' +
  'at most, without control, direction-override or zero-width characters; 2048 bytes in all as that header ' +
  '(compact JSON, non-ASCII as \\u escapes, so one such character counts 6 bytes).';
/** A time that may be absent (never expires, never used): for resources and request bodies alike. */
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
/** Names of credentials and personal tokens (core/credential-input.ts has the full rule). */
export const nameField = { type: 'string', minLength: 1, maxLength: 100 } as const;
const licence = { type: ['string', 'null'], enum: ['admin', 'supervisor', null] } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable error code (docs/admin-api.md)' },
    message: { type: 'string' },
    field: { type: 'string', description: 'The input field at fault' },
  },
} as const;

export const userSchema = {
  $id: 'User',
  type: 'object',
  required: ['id', 'email', 'licence', 'accountId', 'accountName', 'region', 'createdAt'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    licence,
    accountId: { type: 'string' },
    accountName: { type: 'string' },
    region: { type: 'string' },
    createdAt: dateTime,
  },
} as const;

export const scopeSchema = {
  $id: 'Scope',
  type: 'object',
  required: ['value', 'description', 'api', 'grantable'],
  properties: {
    value: { type: 'string' },
    description: { type: 'string' },
    api: { type: 'string' },
    grantable: { type: 'boolean', description: "Whether the caller's licence may grant it" },
  },
} as const;

export const secretSchema = {
  $id: 'Secret',
  type: 'object',
  required: ['id', 'hint', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'status'],
  properties: {
    id: { type: 'string' },
    hint: { type: 'string', description: 'The first 8 characters, to tell secrets apart' },
    createdAt: dateTime,
    expiresAt: nullableDateTime,
    revokedAt: nullableDateTime,
    lastUsedAt: nullableDateTime,
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
  },
} as const;

export const keySchema = {
  $id: 'CredentialKey',
  type: 'object',
  required: ['id', 'thumbprint', 'algorithms', 'jwk', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'string' },
    thumbprint: { type: 'string', description: 'RFC 7638 thumbprint of the public key' },
    algorithms: { type: 'array', items: { type: 'string', enum: ['ES256', 'RS256', 'PS256', 'EdDSA'] } },
    jwk: { type: 'object', additionalProperties: { type: 'string' }, description: 'The public key' },
    createdAt: dateTime,
    lastUsedAt: nullableDateTime,
  },
} as const;

export const credentialSchema = {
  $id: 'Credential',
  type: 'object',
  required: [
    'id',
    'clientId',
    'name',
    'scopes',
    'ownerUserId',
    'ownerEmail',
    'disabled',
    'expiresAt',
    'createdAt',
    'updatedAt',
    'lastUsedAt',
    'tokensRevokedAt',
    'requireDpop',
    'allowedCidrs',
    'tokenQuota',
    'callLimit',
    'metadata',
    'secrets',
    'keys',
  ],
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    ownerUserId: {
      type: ['string', 'null'],
      description: 'The portal user who made it; null when the CLI did',
    },
    ownerEmail: { type: ['string', 'null'] },
    disabled: { type: 'boolean' },
    expiresAt: nullableDateTime,
    createdAt: dateTime,
    updatedAt: dateTime,
    lastUsedAt: nullableDateTime,
    tokensRevokedAt: {
      ...nullableDateTime,
      description: 'When all its tokens were last revoked at once; tokens issued before are refused',
    },
    requireDpop: {
      type: 'boolean',
      description: 'Its tokens must be DPoP-bound (RFC 9449): bearer token requests get invalid_dpop_proof',
    },
    allowedCidrs: {
      type: 'array',
      items: { type: 'string' },
      description: 'CIDR ranges it may be used from (token requests and API calls); empty: anywhere',
    },
    callLimit: {
      description:
        "Its own API call limit; it only lowers its plan's per-credential limit (the lower applies). Null: the plan's alone.",
      type: ['object', 'null'],
      required: ['limit', 'windowSeconds'],
      properties: { limit: { type: 'integer' }, windowSeconds: { type: 'integer' } },
    },
    metadata: {
      description: METADATA_DESCRIPTION,
      type: 'object',
      additionalProperties: { type: 'string' },
    },
    tokenQuota: {
      description: 'At most `limit` tokens an hour or a day (429 beyond); null: no quota',
      type: ['object', 'null'],
      required: ['limit', 'period'],
      properties: { limit: { type: 'integer' }, period: { type: 'string', enum: ['hour', 'day'] } },
    },
    secrets: { type: 'array', items: { $ref: 'Secret#' } },
    keys: {
      type: 'array',
      items: { $ref: 'CredentialKey#' },
      description: 'Public keys for private_key_jwt; a credential created with keys has no secrets',
    },
  },
} as const;

export const auditEntrySchema = {
  $id: 'AuditEntry',
  type: 'object',
  required: [
    'id',
    'at',
    'actorUserId',
    'actorEmail',
    'action',
    'targetType',
    'targetId',
    'targetName',
    'ip',
    'details',
  ],
  properties: {
    id: { type: 'string' },
    at: dateTime,
    actorUserId: { type: ['string', 'null'] },
    actorEmail: { type: 'string' },
    action: { type: 'string' },
    targetType: { type: 'string' },
    targetId: { type: ['string', 'null'] },
    targetName: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const apiTokenSchema = {
  $id: 'ApiToken',
  type: 'object',
  required: ['id', 'name', 'hint', 'createdAt', 'expiresAt', 'lastUsedAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    hint: { type: 'string' },
    createdAt: dateTime,
    expiresAt: nullableDateTime,
    lastUsedAt: nullableDateTime,
  },
} as const;

/** Registered once with the plugin and with Ajv: a `$ref` such as `Credential#` names one by `$id`. */
export const sharedSchemas = [
  errorSchema,
  userSchema,
  scopeSchema,
  secretSchema,
  keySchema,
  credentialSchema,
  auditEntrySchema,
  apiTokenSchema,
] as const;

/** The shared schemas as json-schema-to-ts resolves `$ref`s against them. */
export type SharedSchemas = [...typeof sharedSchemas];

/** The value a schema of this API describes, with its `$ref`s resolved. */
export type FromAdminSchema<S extends JSONSchema> = FromSchema<S, { references: SharedSchemas }>;

export type UserJson = FromAdminSchema<typeof userSchema>;
export type SecretJson = FromAdminSchema<typeof secretSchema>;
export type KeyJson = FromAdminSchema<typeof keySchema>;
export type CredentialJson = FromAdminSchema<typeof credentialSchema>;
export type AuditEntryJson = FromAdminSchema<typeof auditEntrySchema>;
export type ApiTokenJson = FromAdminSchema<typeof apiTokenSchema>;

/** Error answers every authenticated route may give. */
export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  403: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
  409: { $ref: 'Error#' },
  429: { $ref: 'Error#' },
} as const;

const id = { type: 'string', maxLength: 200 } as const;

export const idParams = { type: 'object', required: ['id'], properties: { id } } as const;

export const secretParams = {
  type: 'object',
  required: ['id', 'secretId'],
  properties: { id, secretId: id },
} as const;

/** The answer of every route that returns one credential. */
export const oneCredentialResponse = {
  type: 'object',
  required: ['credential'],
  properties: { credential: { $ref: 'Credential#' } },
} as const;
