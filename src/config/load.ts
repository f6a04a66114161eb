import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { overFile, readEnvironment } from './environment.js';
import { type Config, type ConfigInput, configSchema } from './schema.js';
import { settingAt } from './settings.js';

/**
 * The default issuer's path: VCC's token service is an IdentityServer under `/Auth`
 * (`/Auth/connect/token`), so code written for it takes `https://{region}…/Auth` as the issuer and
 * looks for `/Auth/.well-known/openid-configuration`. ADR 0007.
 */
export const DEFAULT_ISSUER_PATH = '/Auth';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The configuration file read from the current directory unless KEYGATE_CONFIG names another. */
export const CONFIG_FILE_NAME = 'keygate.config.json';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values that win over file and environment (tests, CLI flags). */
  overrides?: ConfigInput;
  /**
   * Told of a variable read under its former name. By default a Node DeprecationWarning, as a
   * library's; the CLI prints its own line.
   */
  warn?: (message: string) => void;
}

/** Reads, merges and validates the configuration; errors name the key (and its variable). */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const fromFile = readConfigFile(
    env.KEYGATE_CONFIG ? resolve(cwd, env.KEYGATE_CONFIG) : resolve(cwd, CONFIG_FILE_NAME),
    {
      required: Boolean(env.KEYGATE_CONFIG),
      problems,
    },
  );

  const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'DeprecationWarning'));
  const fromEnv = readEnvironment(env, warn);
  problems.push(...fromEnv.problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const result = configSchema.safeParse({
    ...overFile(fromFile, fromEnv.values),
    ...options.overrides,
  });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, fromEnv.readFrom)));
  }
  const parsed = result.data;

  const localHost = parsed.host === '0.0.0.0' || parsed.host === '::' ? '127.0.0.1' : parsed.host;
  const config: Config = {
    ...parsed,
    dataDir: resolve(cwd, parsed.dataDir),
    publicUrl: stripTrailingSlash(
      parsed.publicUrl ?? `http://${localHost}:${parsed.port}${DEFAULT_ISSUER_PATH}`,
    ),
    audience: parsed.audience ?? `http://${localHost}:${parsed.gatewayPort}`,
  };
  return Object.freeze(config);
}

function readConfigFile(
  path: string,
  { required, problems }: { required: boolean; problems: string[] },
): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) problems.push(`KEYGATE_CONFIG: no file at ${path}`);
    return {};
  }
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path}: expected a JSON object`);
      return {};
    }
    return value as Record<string, unknown>;
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return {};
  }
}

function describeIssue(issue: z.core.$ZodIssue, readFrom: ReadonlyMap<string, string>): string {
  const key = issue.path.join('.') || '(root)';
  // A problem inside a setting (roles.1, upstreams.stats) is named with the setting's variable.
  const setting = settingAt(issue.path);
  const variable = setting && (readFrom.get(setting.key) ?? setting.variable);
  const where = variable ? `${key} (${variable})` : key;
  return `${where}: ${issue.message}`;
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
