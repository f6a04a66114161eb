import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { GatewayError, writeGatewayError } from './gateway-error.js';
import { HOP_BY_HOP } from './hop-by-hop.js';

export interface ForwardedAnswer {
  status: number;
  /** From handing the call to the upstream's pool (a wait for a free connection included) to the
   * upstream's answer headers, or to the call's failure. */
  upstreamSeconds: number;
}

/**
 * One call forwarded upstream, as an undici dispatch handler: the upstream's answer goes straight
 * into the caller's response; a failure before any of it was written becomes a JSON 502, or 504
 * once `timeOut` was called. The timeout is a deadline that UpstreamProxy's sweep reads, not a
 * timer per call: undici's own headers and body timers are objects that live at least half a
 * second each (its coarse timer wheel), so at thousands of calls a second they outlived the young
 * generation and fed the old one.
 */
export class ForwardedCall implements Dispatcher.DispatchHandler {
  /** performance.now() after which the call has timed out; each chunk of the answer moves it on. */
  deadline = 0;
  /** Its index among UpstreamProxy's calls in flight, while it is one of them. */
  slot = -1;
  readonly #sentAt = performance.now();
  #answeredAt: number | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #timedOut = false;
  #settled = false;
  #waitingForCaller = false;

  constructor(
    private readonly response: ServerResponse,
    /** The gateway's own answer headers (rate limits), added to the upstream's. */
    private readonly ownHeaders: Record<string, string>,
    private readonly limits: { timeoutMs: number; callerStallTimeoutMs: number },
    private readonly settle: (answer: ForwardedAnswer) => void,
  ) {
    this.#restartClock(this.#sentAt);
  }

  /** The upstream has just been heard from (or the caller has caught up): the timeout starts again. */
  #restartClock(now = performance.now()): void {
    this.deadline = now + this.limits.timeoutMs;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Timed out while waiting for a free connection: the caller already has its 504. Throwing
    // drops the call and keeps the connection; aborting would have closed it.
    if (this.#settled) throw new Error('the call timed out before it was sent');
    this.#controller = controller;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational; the final answer follows
    this.#answeredAt = performance.now();
    this.#restartClock(this.#answeredAt);
    this.response.writeHead(statusCode, responseHeaders(headers, this.ownHeaders));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.response.destroyed) {
      controller.abort(new Error('the caller went away'));
      return;
    }
    this.#restartClock();
    if (!this.response.write(chunk)) this.#waitForCaller(controller);
  }

  onResponseEnd(): void {
    this.response.end();
    this.#finish(this.response.statusCode);
  }

  onResponseError(_controller: Dispatcher.DispatchController, _error: Error): void {
    if (this.#settled) return;
    if (this.response.headersSent) {
      // Part of the answer is out: cutting the connection is the only honest end.
      this.response.destroy();
      this.#finish(this.response.statusCode);
      return;
    }
    this.#fail();
  }

  /** Answers 502 at once: the call could not be handed to the upstream's pool. */
  refuse(): void {
    if (!this.#settled) this.#fail();
  }

  /** Called by the sweep once `deadline` has passed. */
  timeOut(): void {
    if (this.#waitingForCaller) {
      // The caller stopped reading: cut it, and the upstream call with it, which frees its
      // connection, so callers that never read cannot hold the whole pool. Aborted here, not left
      // to the response's 'close': a pipelined response still queued behind another never gets one.
      this.response.destroy();
      this.#controller?.abort(new Error('the caller stopped reading'));
      return;
    }
    this.#timedOut = true;
    // Once sent, aborting ends in onResponseError; a call still queued for a connection is
    // answered now and dropped in onRequestStart.
    if (this.#controller) this.#controller.abort(new Error('the upstream did not answer in time'));
    else this.#fail();
  }

  /** The caller reads slower than the upstream writes: stop reading upstream until it catches up. */
  #waitForCaller(controller: Dispatcher.DispatchController): void {
    controller.pause();
    // A slow reader is not a slow upstream: its own limit (callerStallTimeoutMs) runs while it catches up.
    this.#waitingForCaller = true;
    this.deadline = performance.now() + this.limits.callerStallTimeoutMs;
    const drained = () => {
      this.response.off('close', closed);
      this.#waitingForCaller = false;
      this.#restartClock();
      controller.resume();
    };
    const closed = () => {
      this.response.off('drain', drained);
      controller.abort(new Error('the caller went away'));
    };
    this.response.once('drain', drained).once('close', closed);
  }

  #fail(): void {
    const failure = this.#timedOut
      ? new GatewayError('gateway_timeout', 504, 'The API did not answer in time')
      : new GatewayError('bad_gateway', 502, 'The API is unavailable');
    writeGatewayError(failure, this.response, this.ownHeaders);
    this.#finish(failure.status);
  }

  #finish(status: number): void {
    if (this.#settled) return;
    this.#settled = true;
    const upstreamSeconds = ((this.#answeredAt ?? performance.now()) - this.#sentAt) / 1000;
    this.settle({ status, upstreamSeconds });
  }
}

/** The upstream's answer headers without hop-by-hop ones, plus the gateway's own. */
function responseHeaders(
  incoming: IncomingHttpHeaders,
  own: Record<string, string>,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  for (const name in own) headers[name] = own[name]!;
  return headers;
}
