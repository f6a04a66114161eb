import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendAdminError } from '../admin-api/admin-error-reply.js';

/** Where `npm run build` puts the portal (Vite), the same from src/ and from dist/. */
export const PORTAL_DIR = fileURLToPath(new URL('../../dist/portal/', import.meta.url));
export const PORTAL_PATH = '/portal/';

/**
 * The portal's headers: the app loads only its own scripts and styles, cannot be framed, and sends
 * no referrer, so a URL never leaks to another site.
 */
export const PORTAL_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Serves the single-page portal under /portal/: hashed assets cached for a year, index.html for
 * every other path below it (the app routes in the browser), never cached.
 */
export async function portalPlugin(app: FastifyInstance): Promise<void> {
  const built = existsSync(`${PORTAL_DIR}index.html`);
  const index = built ? readFileSync(`${PORTAL_DIR}index.html`) : undefined;
  const sendIndex = (reply: FastifyReply) => {
    if (!index) {
      return sendAdminError(
        reply,
        'portal_not_built',
        'The portal is not built: run `npm run build`, then start Keygate again.',
      );
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };

  app.get('/', (_request, reply) => reply.redirect(PORTAL_PATH));
  app.get('/portal', (_request, reply) => reply.redirect(PORTAL_PATH));

  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (_request, reply) => {
        for (const [name, value] of Object.entries(PORTAL_SECURITY_HEADERS)) void reply.header(name, value);
      });
      scope.get('/', { prefixTrailingSlash: 'slash' }, (_request, reply) => sendIndex(reply));
      if (built) {
        await scope.register(fastifyStatic, {
          root: PORTAL_DIR,
          prefix: '/',
          index: false,
          wildcard: true,
          cacheControl: false,
          // Vite names assets by content hash, so they never change; other files (the icon) may.
          setHeaders: (reply, path) => {
            reply.header(
              'cache-control',
              path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
            );
          },
        });
      }
      scope.setNotFoundHandler((request, reply) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          return sendAdminError(reply, 'method_not_allowed', 'The portal only serves GET');
        }
        // A missing asset is a 404; any other path is a page of the app.
        if (request.url.startsWith(`${PORTAL_PATH}assets/`)) {
          return sendAdminError(reply, 'not_found', `No such file: ${request.url.split('?')[0]}`);
        }
        return sendIndex(reply);
      });
    },
    { prefix: '/portal' },
  );
}
