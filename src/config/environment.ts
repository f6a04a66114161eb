import { SETTINGS, type Setting } from './settings.js';

/** What the KEYGATE_* variables set. */
export interface EnvironmentReading {
  /** The values, shaped as in the file: a group's members inside the group. */
  readonly values: Record<string, unknown>;
  /** Texts that are not of their setting's kind, each naming the setting and its variable. */
  readonly problems: string[];
  /** The variable each setting was read from, so an error names the one the operator set. */
  readonly readFrom: ReadonlyMap<string, string>;
}

/**
 * Reads each setting's variable (settings.ts), or a former name of it with a warning naming the new
 * one; when both are set, the new one wins and the warning says the former is ignored.
 */
export function readEnvironment(env: NodeJS.ProcessEnv, warn: (message: string) => void): EnvironmentReading {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const readFrom = new Map<string, string>();
  for (const setting of SETTINGS) {
    const given = (variable: string) => env[variable] !== undefined && env[variable] !== '';
    let variable = setting.variable;
    for (const former of setting.formerVariables.filter(given)) {
      if (given(variable)) {
        warn(`${former} is ignored: ${setting.variable} is set too, and wins; remove ${former}`);
      } else {
        warn(`${former} is deprecated: rename it ${setting.variable} (it sets ${setting.key}, as before)`);
        variable = former;
      }
    }
    if (!given(variable)) continue;
    const parsed = parse(setting, variable, env[variable]!);
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    readFrom.set(setting.key, variable);
    let target = values;
    for (const part of setting.path.slice(0, -1)) {
      target[part] ??= {};
      target = target[part] as Record<string, unknown>;
    }
    target[setting.path.at(-1)!] = parsed.value;
  }
  return { values, problems, readFrom };
}

function parse(setting: Setting, variable: string, text: string): { value: unknown } | { problem: string } {
  const where = `${setting.key} (${variable})`;
  const trimmed = text.trim();
  switch (setting.kind) {
    case 'integer':
      if (!/^-?\d+$/.test(trimmed))
        return { problem: `${where}: expected an integer, got ${JSON.stringify(text)}` };
      return { value: Number(trimmed) };
    case 'number':
      if (trimmed === '' || !Number.isFinite(Number(trimmed))) {
        return { problem: `${where}: expected a number, got ${JSON.stringify(text)}` };
      }
      return { value: Number(trimmed) };
    case 'boolean': {
      const word = trimmed.toLowerCase();
      if (word !== 'true' && word !== 'false') {
        return { problem: `${where}: expected true or false, got ${JSON.stringify(text)}` };
      }
      return { value: word === 'true' };
    }
    case 'json':
      // Validated afterwards by the same schema as the file's value, so errors read alike.
      try {
        return { value: JSON.parse(text) };
      } catch (error) {
        return {
          problem: `${where}: expected JSON, as in the configuration file: ${(error as Error).message}`,
        };
      }
    case 'string':
      return { value: text };
  }
}

const groups = new Set(
  SETTINGS.filter((setting) => setting.path.length > 1).map((setting) => setting.path[0]),
);

/**
 * The file's values with the variables' over them. A variable for a group's member replaces that
 * member only; any other variable replaces the whole value (a JSON record or list too).
 */
export function overFile(
  fromFile: Record<string, unknown>,
  fromEnv: Record<string, unknown>,
): Record<string, unknown> {
  const result = { ...fromFile };
  for (const [key, value] of Object.entries(fromEnv)) {
    const inFile = result[key];
    const keepOthers =
      groups.has(key) && typeof inFile === 'object' && inFile !== null && !Array.isArray(inFile);
    result[key] = keepOthers ? { ...inFile, ...(value as Record<string, unknown>) } : value;
  }
  return result;
}
