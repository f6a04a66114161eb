import FindMyWay from 'find-my-way';
import type { ApiRoute } from './api-document.js';

/** The router options of every matcher of Keygate's, Fastify's included (server/http-app.ts). */
export const ROUTER_OPTIONS = { maxParamLength: 200 } as const;

/**
 * The declared operations, matched as the gateway's own router matches them: find-my-way (Fastify's
 * router) with the same options, and HEAD answered by a GET route, as Fastify's exposeHeadRoutes
 * does. Forward-auth and `keygate explain` ask here, so each finds the route the gateway would.
 */
export class RouteTable {
  readonly #router = FindMyWay(ROUTER_OPTIONS);

  constructor(routes: readonly ApiRoute[]) {
    for (const route of routes) {
      this.#router.on(route.method as FindMyWay.HTTPMethod, route.routerPath, () => {}, { route });
    }
  }

  /** The route of `method` and `url` (a request target; its query is ignored), if one is declared. */
  find(method: string, url: string): ApiRoute | undefined {
    const asked = method as FindMyWay.HTTPMethod;
    const found = this.#router.find(asked, url) ?? (asked === 'HEAD' ? this.#router.find('GET', url) : null);
    return (found?.store as { route: ApiRoute } | undefined)?.route;
  }
}
