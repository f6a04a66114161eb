import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ConfigProblem, DeclaredConfig, FilePath } from '../services/credentials/declared-config.js';
import { UsageError } from './usage-error.js';

/** The schema that ships with Keygate (schemas/), so editors and the CLI check files alike. */
export const CONFIG_SCHEMA_URL = new URL('../../schemas/keygate-config.schema.json', import.meta.url);

/** A file `apply` cannot take: each problem with its line; nothing was changed. */
export class ConfigFileError extends UsageError {
  constructor(file: string, lines: string[]) {
    super(
      `${file} is not a valid Keygate configuration; nothing was changed:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    );
  }
}

export interface ConfigFile {
  readonly name: string;
  readonly config: DeclaredConfig;
  /** The problems, each as `file:line: where: what`. */
  describe(problems: readonly ConfigProblem[]): string[];
}

let validate: ReturnType<Ajv['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv['compile']> {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(CONFIG_SCHEMA_URL, 'utf8')) as object);
  }
  return validate;
}

/** Reads a YAML (or JSON) configuration file and checks it against the schema. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigFileError(
      file,
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`),
    );
  }
  const lineOf = (path: FilePath): number => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const segment of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
        if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
        next = pair?.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      if (!next) break;
      node = next;
      const range = (next as Node).range;
      if (range && !isMap(next)) offset = range[0];
    }
    return lineCounter.linePos(offset).line;
  };
  const describe = (problems: readonly ConfigProblem[]) =>
    problems.map((p) => `${file}:${lineOf(p.path)}: ${where(p.path)}${p.message}`);

  const config = doc.toJS() as unknown;
  const check = schemaValidator();
  if (!check(config)) throw new ConfigFileError(file, describe(schemaProblems(check.errors ?? [])));
  return { name: file, config: config as DeclaredConfig, describe };
}

function where(path: FilePath): string {
  if (path.length === 0) return '';
  return `${path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')}: `;
}

/** One problem a place: anyOf reports each branch, and one line says enough. */
function schemaProblems(errors: readonly ErrorObject[]): ConfigProblem[] {
  const seen = new Map<string, ConfigProblem>();
  for (const error of errors) {
    const path: Array<string | number> = error.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    let message = error.message ?? 'is not valid';
    if (error.keyword === 'additionalProperties') {
      path.push(String(error.params.additionalProperty));
      message = 'is not a field Keygate knows';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    }
    const key = path.join('/');
    if (!seen.has(key)) seen.set(key, { path, message });
  }
  return [...seen.values()];
}
