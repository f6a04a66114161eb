import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { sharedSchemas } from './schemas.js';

/**
 * Bodies are validated as sent (no type coercion: `"name": 5` is an error, not "5"); the query
 * string and path, which are text by nature, are coerced to the declared types.
 */
export function adminValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strictAjv = createAjv(false);
  const coercingAjv = createAjv(true);
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object) as ReturnType<
      FastifySchemaCompiler<unknown>
    >;
}

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
  });
  addFormats.default(ajv);
  for (const schema of sharedSchemas) ajv.addSchema(schema);
  return ajv;
}
