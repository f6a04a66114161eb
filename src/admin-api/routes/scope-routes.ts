import { isGrantableBy, requireLicence } from '../../core/portal-access.js';
import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { errorResponses } from '../schemas.js';

/** The scope catalogue, marked with what the caller's licence may grant. */
export async function scopeRoutes(app: AdminApp, context: AdminApiContext) {
  app.get(
    '/scopes',
    {
      schema: {
        summary: 'The scope catalogue',
        tags: ['credentials'],
        response: {
          200: {
            type: 'object',
            required: ['scopes'],
            properties: { scopes: { type: 'array', items: { $ref: 'Scope#' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { user } = callerOf(request).actor;
      requireLicence(user);
      return {
        scopes: context.credentials.catalogue.scopes.map((s) => ({
          value: s.value,
          description: s.description,
          api: s.api,
          grantable: isGrantableBy(user, s),
        })),
      };
    },
  );
}
