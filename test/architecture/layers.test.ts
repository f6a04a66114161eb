import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../packages/client/src', import.meta.url));

/**
 * The layers, lowest first: a folder may import from folders of a lower rank only (and from
 * itself). core ← store ← services ← {token-service, admin-api, gateway} ← server ← cli, with the
 * pure helpers below core and the sample APIs, which describe themselves in the gateway's document
 * format, between the surfaces and the server. The client SDK is a package of its own
 * (packages/client) that the server depends on, never the other way round.
 */
const RANK: Record<string, number> = {
  crypto: 0,
  core: 1,
  config: 1,
  store: 2,
  services: 3,
  'token-service': 4,
  'admin-api': 4,
  gateway: 4,
  'sample-apis': 5,
  server: 6,
  cli: 7,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Each module specifier a file imports, statically or dynamically. */
function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((match) => match[1]!);
}

/** Each import between top-level folders of src/, static or dynamic, as [from, to, file]. */
function crossings(): Array<[string, string, string]> {
  const found: Array<[string, string, string]> = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split('/')[0]!;
    for (const specifier of imports(file).filter((s) => s.startsWith('.'))) {
      const to = relative(SRC, normalize(join(dirname(file), specifier))).split('/')[0]!;
      if (to !== from) found.push([from, to, relative(SRC, file)]);
    }
  }
  return found;
}

describe('architecture: dependencies point one way', () => {
  const edges = crossings();

  it('knows every top-level folder of src/', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    for (const folder of folders) expect(RANK, `src/${folder} has a layer`).toHaveProperty(folder);
  });

  it('imports only from lower layers (gateway/ never from token-service/ or admin-api/)', () => {
    const upwardOrSideways = edges
      .filter(([from, to]) => RANK[to]! >= RANK[from]!)
      .map(([from, to, file]) => `${file}: ${from} → ${to}`);
    expect(upwardOrSideways).toEqual([]);
  });

  it('has no cycle between top-level folders', () => {
    const next = new Map<string, Set<string>>();
    for (const [from, to] of edges) next.set(from, (next.get(from) ?? new Set()).add(to));
    const cycles: string[] = [];
    const visit = (folder: string, path: string[]) => {
      if (path.includes(folder)) {
        cycles.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
        return;
      }
      for (const to of next.get(folder) ?? []) visit(to, [...path, folder]);
    };
    for (const folder of next.keys()) visit(folder, []);
    expect(cycles).toEqual([]);
  });
});

describe('architecture: the client package stands alone', () => {
  // What a program that installs @keygate/client gets: jose and Node, nothing of the server's. Its
  // own name is its own files (index.ts shows it in an example).
  it('imports only its own files, jose and node:', () => {
    const outside = sourceFiles(CLIENT).flatMap((file) =>
      imports(file)
        .filter((specifier) =>
          specifier.startsWith('.')
            ? relative(CLIENT, normalize(join(dirname(file), specifier))).startsWith('..')
            : !['jose', '@keygate/client'].includes(specifier) && !specifier.startsWith('node:'),
        )
        .map((specifier) => `${relative(CLIENT, file)}: ${specifier}`),
    );
    expect(outside).toEqual([]);
  });

  it('is reached from src/ by its package name only', () => {
    const byPath = sourceFiles(SRC).flatMap((file) =>
      imports(file)
        .filter((specifier) => specifier.includes('packages/'))
        .map((specifier) => `${relative(SRC, file)}: ${specifier}`),
    );
    expect(byPath).toEqual([]);
  });
});
