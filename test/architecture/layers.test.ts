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

/** Each module specifier a file imports, statically, dynamically or for its side effects. */
function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import\(?)\s*'([^']+)'/g)].map(
    (match) => match[1]!,
  );
}

/**
 * Each import between folders right under `root` (src/ by default), static or dynamic, as
 * [from, to, file]; imports that leave `root` are not its to judge.
 */
function crossings(root = SRC): Array<[string, string, string]> {
  const found: Array<[string, string, string]> = [];
  for (const file of sourceFiles(root)) {
    const from = relative(root, file).split('/')[0]!;
    for (const specifier of imports(file).filter((s) => s.startsWith('.'))) {
      const target = relative(root, normalize(join(dirname(file), specifier)));
      const to = target.split('/')[0]!;
      if (to !== from && to !== '..') found.push([from, to, relative(SRC, file)]);
    }
  }
  return found;
}

/** The folders of `ranks` that import from a folder of the same or a higher rank. */
function upwardOrSideways(edges: Array<[string, string, string]>, ranks: Record<string, number>): string[] {
  return edges
    .filter(([from, to]) => ranks[to]! >= ranks[from]!)
    .map(([from, to, file]) => `${file}: ${from} → ${to}`);
}

/** Each cycle between folders, as the path that closes it. */
function cycles(edges: Array<[string, string, string]>): string[] {
  const next = new Map<string, Set<string>>();
  for (const [from, to] of edges) next.set(from, (next.get(from) ?? new Set()).add(to));
  const found: string[] = [];
  const visit = (folder: string, path: string[]) => {
    if (path.includes(folder)) {
      found.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
      return;
    }
    for (const to of next.get(folder) ?? []) visit(to, [...path, folder]);
  };
  for (const folder of next.keys()) visit(folder, []);
  return found;
}

/**
 * services/ is cut by what it serves, and its parts point one way too: the generic caches and the
 * surfaces' tracing (observability) under everything; the limits, token verification and the
 * credential use cases on them; signing in (which acts as a portal user and counts login attempts)
 * and the store's upkeep (which makes the first signing keys) on those.
 */
const SERVICES = join(SRC, 'services');
const SERVICES_RANK: Record<string, number> = {
  caches: 0,
  observability: 0,
  limits: 1,
  verification: 1,
  credentials: 1,
  'sign-in': 2,
  upkeep: 2,
};

describe('architecture: dependencies point one way', () => {
  const edges = crossings();

  it('knows every top-level folder of src/', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    for (const folder of folders) expect(RANK, `src/${folder} has a layer`).toHaveProperty(folder);
  });

  it('imports only from lower layers (gateway/ never from token-service/ or admin-api/)', () => {
    expect(upwardOrSideways(edges, RANK)).toEqual([]);
  });

  it('has no cycle between top-level folders', () => {
    expect(cycles(edges)).toEqual([]);
  });

  // The CLI works on the store through services/; only `keygate start` runs the server.
  it('lets the CLI reach server/ only from keygate start', () => {
    const reaching = edges
      .filter(([from, to, file]) => from === 'cli' && to === 'server' && file !== 'cli/commands/start.ts')
      .map(([, , file]) => file);
    expect(reaching).toEqual([]);
  });
});

describe('architecture: services/ is cut by what it serves', () => {
  const edges = crossings(SERVICES);

  it('keeps every service in a part of known rank', () => {
    const parts = readdirSync(SERVICES);
    for (const part of parts) {
      expect(statSync(join(SERVICES, part)).isDirectory(), `services/${part} is a folder`).toBe(true);
      expect(SERVICES_RANK, `services/${part} has a rank`).toHaveProperty(part);
    }
  });

  it('imports only from lower parts', () => {
    expect(upwardOrSideways(edges, SERVICES_RANK)).toEqual([]);
  });

  it('has no cycle between its parts', () => {
    expect(cycles(edges)).toEqual([]);
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
