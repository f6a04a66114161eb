import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

/**
 * Fastify's `childLoggerFactory`: each request's logger is pino's child of the process logger,
 * with the request ID bound, made when the request first writes at an enabled level. pino makes a
 * child by serialising its bindings, which Fastify's default factory does for every request; at
 * `warn` and above a request that does not fail writes nothing, and no child is made (ADR 0014).
 */
export function requestLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(parent as Logger, bindings, options);
}

/** The invariant: once `#child` exists every call goes to it, so the request logs as one child would. */
class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.#child?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#made().level = level;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#made().child(bindings, options);
  }

  #write(level: Level, args: unknown[]): void {
    const logger = this.#child ?? (this.#enabled(level) ? this.#made() : undefined);
    (logger?.[level] as ((...args: unknown[]) => void) | undefined)?.apply(logger, args);
  }

  /** As the child would answer: a route's own `logLevel` (Fastify passes it here) comes first. */
  #enabled(level: Level): boolean {
    const threshold = this.options.level ?? this.parent.level;
    return this.parent.levels.values[level]! >= (this.parent.levels.values[threshold] ?? Infinity);
  }

  #made(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }
}
