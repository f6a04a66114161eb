import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Dispatcher, Pool } from 'undici';
import { type ForwardedAnswer, ForwardedCall } from './forwarded-call.js';

export interface UpstreamProxyOptions {
  /** The longest wait for the upstream: for its answer, or between two chunks of it. */
  timeoutMs: number;
  /** The longest wait for a caller that has stopped reading; past it the call is cut. */
  callerStallTimeoutMs: number;
  connections: number;
}

/**
 * A lean reverse proxy on undici keep-alive pools, one per upstream origin. Each call is a
 * ForwardedCall dispatched straight to the pool, which writes the upstream's answer into the
 * caller's socket (the reply hijacked from Fastify): ADR 0004 says why not @fastify/reply-from.
 *
 * Timeouts: one sweep every tenth of the shorter timeout (10 ms to 1 s) times out the calls past
 * their deadline, so a call that waits for headers, or for the next chunk of a body, is answered
 * 504 (or cut, once its answer has begun) about 1× to 1.1× the timeout after it began waiting; a
 * call whose caller has stopped reading is cut the same way after `callerStallTimeoutMs`.
 */
export class UpstreamProxy {
  readonly #pools = new Map<string, Pool>();
  /**
   * The calls in flight, for the sweep; a call that ends gives its slot to the last one. Not a Set:
   * one that gained and lost a call per request kept about 800 KB of ended calls alive through each
   * scavenge under 4 callers, against 26 KB with this array, and made each scavenge 5× as long
   * (ADR 0012).
   */
  readonly #inFlight: ForwardedCall[] = [];
  readonly #sweep: NodeJS.Timeout;

  constructor(private readonly options: UpstreamProxyOptions) {
    const shorter = Math.min(options.timeoutMs, options.callerStallTimeoutMs);
    const every = Math.min(1000, Math.max(10, Math.round(shorter / 10)));
    this.#sweep = setInterval(() => this.#timeOutLateCalls(), every).unref();
  }

  forward(
    origin: string,
    /** The origin-form target to send (request-target.ts), not the caller's raw one. */
    target: string,
    request: FastifyRequest,
    reply: FastifyReply,
    headers: Record<string, string | string[]>,
    /** The gateway's own answer headers (rate limits), added to the upstream's on the way back. */
    ownHeaders: Record<string, string>,
  ): Promise<ForwardedAnswer> {
    const method = request.method as Dispatcher.HttpMethod;
    // Read whole before the call is dispatched (see gatewayPlugin's body parser), so a caller that
    // sends its body slowly holds no upstream connection while it does.
    const body = Buffer.isBuffer(request.body) ? request.body : null;
    // From here the answer is written straight from undici into the socket, without a stream in between.
    reply.hijack();
    return new Promise((resolve) => {
      const call = new ForwardedCall(reply.raw, ownHeaders, this.options, (answer) => {
        this.#leave(call);
        resolve(answer);
      });
      call.slot = this.#inFlight.push(call) - 1;
      try {
        this.#pool(origin).dispatch(
          {
            method,
            path: target,
            headers,
            body,
            // 0 turns undici's own timers off; the sweep keeps the time instead.
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          call,
        );
      } catch {
        // undici reports a bad call to the handler; this is for what fails before it can.
        call.refuse();
      }
    });
  }

  /**
   * Opens the pool for `origin` now, so that an upstream URL undici will not take (one with a path,
   * say) stops the gateway at start instead of failing each call.
   */
  prepare(origin: string): void {
    this.#pool(origin);
  }

  /**
   * Waits for the calls in flight; the sweep goes on until they end, so none waits longer than a
   * timeout for its upstream or for a caller that has stopped reading.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    clearInterval(this.#sweep);
  }

  #leave(call: ForwardedCall): void {
    const last = this.#inFlight.pop()!;
    if (last !== call) {
      this.#inFlight[call.slot] = last;
      last.slot = call.slot;
    }
    call.slot = -1;
  }

  #timeOutLateCalls(): void {
    const now = performance.now();
    // Picked first: a call that times out may end at once, and leave the array while it is read.
    const late = this.#inFlight.filter((call) => call.deadline < now);
    for (const call of late) call.timeOut();
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }
}
