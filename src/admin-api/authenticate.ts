import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../crypto/constant-time-equal.js';
import type { Actor } from '../services/credentials/actor.js';
import { AdminHttpError } from './admin-error-reply.js';
import { type AdminApiContext, CSRF_HEADER, SESSION_COOKIE } from './context.js';

export type UserActor = Extract<Actor, { kind: 'user' }>;

/** Who is calling, set by `authenticate` on every route but the login. */
export interface AdminAuth {
  actor: UserActor;
  /** Set when the caller came with a session cookie (not a personal token). */
  session?: { id: string; csrfToken: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    adminAuth: AdminAuth | null;
  }
  interface FastifyContextConfig {
    /** Routes open without a session or token (the login, the OpenAPI document). */
    public?: boolean;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A personal token (`Authorization: Bearer kgp_…`) or a session cookie; with the cookie, a
 * state-changing request must also echo the session's CSRF token in `X-CSRF-Token` — a page on
 * another site can make the browser send the cookie, but cannot read the token.
 */
export function authenticateWith(context: AdminApiContext) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public) return;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^bearer +(\S+)$/i.exec(authorization);
      const user = match ? await context.apiTokens.authenticate(match[1]!) : undefined;
      if (!user) throw new AdminHttpError('unauthenticated', 'The API token is not valid');
      request.adminAuth = { actor: { kind: 'user', user, ip: request.ip } };
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessionId ? await context.sessions.resume(sessionId) : undefined;
    if (!sessionId || !session) {
      throw new AdminHttpError('unauthenticated', 'Log in first: there is no session, or it has ended');
    }
    if (STATE_CHANGING.has(request.method) && !csrfMatches(request.headers[CSRF_HEADER], session.csrfToken)) {
      throw new AdminHttpError('csrf_failed', 'The X-CSRF-Token header is missing or wrong');
    }
    request.adminAuth = {
      actor: { kind: 'user', user: session.user, ip: request.ip },
      session: { id: sessionId, csrfToken: session.csrfToken },
    };
  };
}

function csrfMatches(presented: string | string[] | undefined, expected: string): boolean {
  return typeof presented === 'string' && constantTimeEqual(presented, expected);
}

/** The caller of an authenticated route. */
export function callerOf(request: FastifyRequest): AdminAuth {
  if (!request.adminAuth) throw new AdminHttpError('unauthenticated', 'Log in first');
  return request.adminAuth;
}
