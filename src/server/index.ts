/** Programmatic entry point: start Keygate from code (tests, embedding). */
export { ConfigError, loadConfig } from '../config/load.js';
export type { Config, ConfigInput } from '../config/schema.js';
export { type RunningKeygate, type StartOptions, startKeygate } from './keygate.js';
