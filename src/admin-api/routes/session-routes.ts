import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import { ADMIN_PREFIX, type AdminApiContext, SESSION_COOKIE } from '../context.js';
import { userJson } from '../present.js';
import { errorResponses } from '../schemas.js';

const sessionResponse = {
  type: 'object',
  required: ['user', 'csrfToken'],
  properties: { user: { $ref: 'User#' }, csrfToken: { type: 'string' } },
} as const;

/** Log in, see who is logged in, log out. */
export async function sessionRoutes(app: AdminApp, context: AdminApiContext) {
  app.post(
    '/session',
    {
      config: { public: true },
      schema: {
        summary: 'Log in: sets the session cookie and returns the CSRF token',
        tags: ['session'],
        security: [],
        body: {
          type: 'object',
          required: ['email', 'password'],
          properties: {
            email: { type: 'string', maxLength: 254 },
            password: { type: 'string', maxLength: 1024 },
          },
        },
        response: { 200: sessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const opened = await context.sessions.login(
        request.body.email,
        request.body.password,
        request.ip,
        request.cookies[SESSION_COOKIE],
      );
      void reply.setCookie(SESSION_COOKIE, opened.sessionId, {
        path: ADMIN_PREFIX,
        httpOnly: true,
        sameSite: 'lax',
        // HTTPS as configured, or as the request arrived (behind a proxy when trustProxy is set).
        secure: context.config.publicUrl.startsWith('https:') || request.protocol === 'https',
        maxAge: context.config.portalSession.maxSeconds,
      });
      return { user: userJson(await context.users.withAccount(opened.user)), csrfToken: opened.csrfToken };
    },
  );

  app.get(
    '/session',
    {
      schema: {
        summary: 'The logged-in user and the CSRF token of the session',
        tags: ['session'],
        response: { 200: sessionResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { actor, session } = callerOf(request);
      return {
        user: userJson(await context.users.withAccount(actor.user)),
        csrfToken: session?.csrfToken ?? '',
      };
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        summary: 'Log out',
        tags: ['session'],
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor, session } = callerOf(request);
      if (session) await context.sessions.logout(session.id, actor.user, request.ip);
      void reply.clearCookie(SESSION_COOKIE, { path: ADMIN_PREFIX });
      return reply.code(204).send(null);
    },
  );
}
