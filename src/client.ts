/**
 * `keygate/client`, kept for the programs that import it from the server package: the SDK is the
 * `@keygate/client` package (packages/client), which installs without the server's dependencies.
 * @packageDocumentation
 */
export * from '@keygate/client';
