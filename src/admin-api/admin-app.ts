import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { SharedSchemas } from './schemas.js';

/**
 * Types each route's body, params, query and answers from the JSON schemas it declares, resolving
 * `$ref`s against the shared schemas: a handler cannot read a field the schema lacks, nor answer
 * with one that the serialiser would drop. Query defaults are applied by Ajv before the handler
 * runs, so a defaulted parameter is typed as present.
 */
export type AdminTypeProvider = JsonSchemaToTsProvider<{
  ValidatorSchemaOptions: { references: SharedSchemas };
  SerializerSchemaOptions: { references: SharedSchemas };
}>;

/** The admin plugin's Fastify scope, as its route groups receive it. */
export type AdminApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  AdminTypeProvider
>;
