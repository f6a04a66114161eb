import FindMyWay from 'find-my-way';
import type { ApiRoute } from './api-document.js';
import { GatewayError } from './gateway-error.js';
import { ROUTER_OPTIONS } from './route-table.js';

/**
 * How API frameworks may read a path more loosely than Keygate's router: without case (Express by
 * default, ASP.NET Core), with a trailing `.` or space dropped from a segment (IIS), and with a
 * format suffix dropped from the last one (`export.json`, Rails and older Spring).
 */
function folded(path: string): string {
  const segments = path
    .toLowerCase()
    .split('/')
    .map((segment) => segment.replace(/(?:\.|%20| )+$/, ''));
  const last = segments.length - 1;
  segments[last] = segments[last]!.replace(/\.[a-z0-9]{1,8}$/, '');
  return segments.join('/');
}

/**
 * Paths that the router matched to a route with a parameter, but that a looser API framework would
 * route to another of the same API's operations: `/orders/EXPORT` matches `/orders/{orderId}`
 * (orders:read) here, and Express serves it as `/orders/export` (orders:write). Such a call is
 * refused, since the API could do what another scope guards.
 */
export class RouteLookalikes {
  readonly #router = FindMyWay(ROUTER_OPTIONS);

  constructor(routes: readonly ApiRoute[]) {
    for (const route of routes) {
      const method = route.method as FindMyWay.HTTPMethod;
      const path = folded(route.routerPath);
      // Two operations that differ only in case fold to one: the first stands for both.
      if (this.#router.hasRoute(method, path)) continue;
      this.#router.on(method, path, () => {}, { route });
    }
  }

  /**
   * Throws 400 when the path of `target` (origin-form), read loosely, is another route than
   * `route`, the one it matched. A route without parameters matched its one path exactly.
   */
  refuseLookalike(route: ApiRoute, target: string): void {
    if (!route.routerPath.includes(':')) return;
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const loose = folded(path);
    if (loose === path) return;
    const found = this.#router.find(route.method as FindMyWay.HTTPMethod, loose);
    const other = (found?.store as { route: ApiRoute } | undefined)?.route;
    if (other !== undefined && other !== route) {
      throw new GatewayError(
        'invalid_request',
        400,
        `The request path could be read as ${other.method} ${other.path}; send it exactly as the API declares it`,
      );
    }
  }
}
