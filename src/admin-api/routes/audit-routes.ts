import { requireAdmin } from '../../core/portal-access.js';
import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { auditEntryJson } from '../present.js';
import { errorResponses } from '../schemas.js';

/** The account's audit log, newest first, paged by entry ID (admins only). */
export async function auditRoutes(app: AdminApp, context: AdminApiContext) {
  app.get(
    '/audit',
    {
      schema: {
        summary: 'Who changed what, when, from where (admin)',
        tags: ['audit'],
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            before: { type: 'string', maxLength: 64, description: 'nextBefore of the previous page' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['entries', 'nextBefore'],
            properties: {
              entries: { type: 'array', items: { $ref: 'AuditEntry#' } },
              nextBefore: { type: ['string', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { user } = callerOf(request).actor;
      requireAdmin(user);
      const { limit, before } = request.query;
      const entries = await context.store.audit.list(user.accountId, {
        limit: limit + 1,
        ...(before ? { before } : {}),
      });
      const page = entries.slice(0, limit);
      return {
        entries: page.map(auditEntryJson),
        nextBefore: entries.length > limit ? page[page.length - 1]!.id : null,
      };
    },
  );
}
