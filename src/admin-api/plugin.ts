import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { AdminTypeProvider } from './admin-app.js';
import { AdminHttpError, replyWithAdminError, sendAdminError } from './admin-error-reply.js';
import { authenticateWith } from './authenticate.js';
import type { AdminApiContext } from './context.js';
import { auditRoutes } from './routes/audit-routes.js';
import { credentialRoutes } from './routes/credential-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { scopeRoutes } from './routes/scope-routes.js';
import { secretRoutes } from './routes/secret-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { sharedSchemas } from './schemas.js';
import { adminValidatorCompiler } from './validator.js';

/** Nothing the admin API takes comes near this; larger bodies are refused before parsing. */
export const ADMIN_BODY_LIMIT = 64 * 1024;

/**
 * The admin API under /admin/v1: one prefix, one authentication guard, one error shape. The portal
 * is a client of it and nothing more.
 */
export async function adminApiPlugin(app: FastifyInstance, context: AdminApiContext): Promise<void> {
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keygate admin API',
        version: '1',
        description:
          'API credentials, secrets, portal users, personal API tokens and the audit log. See docs/admin-api.md.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'keygate_session' },
          apiToken: { type: 'http', scheme: 'bearer', description: 'A personal API token (kgp_…)' },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    refResolver: { buildLocalReference: (json) => String(json.$id) },
  });
  for (const schema of sharedSchemas) app.addSchema(schema);
  app.setValidatorCompiler(adminValidatorCompiler());
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(replyWithAdminError);
  app.setNotFoundHandler((request, reply) => {
    void sendAdminError(reply, 'not_found', `No endpoint at ${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= ADMIN_BODY_LIMIT;
  });
  app.decorateRequest('adminAuth', null);
  // A POST without a body (add a secret with defaults) validates as the empty object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method !== 'GET') request.body = {};
  });
  // A NUL in a path or query has no meaning here, and PostgreSQL refuses it in text: refuse it first.
  app.addHook('onRequest', async (request) => {
    if (request.url.includes('%00') || request.url.includes(String.fromCharCode(0))) {
      throw new AdminHttpError('validation_failed', 'The URL must not contain NUL characters');
    }
  });
  app.addHook('onRequest', authenticateWith(context));
  app.addHook('onSend', async (_request, reply) => {
    // Answers carry secrets once and personal data always: never cache them.
    void reply.header('cache-control', 'no-store');
  });

  const routes = app.withTypeProvider<AdminTypeProvider>();
  await sessionRoutes(routes, context);
  await scopeRoutes(routes, context);
  await credentialRoutes(routes, context);
  await secretRoutes(routes, context);
  await keyRoutes(routes, context);
  await userRoutes(routes, context);
  await auditRoutes(routes, context);
  await tokenRoutes(routes, context);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
