import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDocument } from '../gateway/api-document.js';
import type { ExportStorage } from './export-storage.js';

/**
 * A sample implementation of one VCC API, served behind the gateway so a first run shows the
 * whole round trip. Samples: generated data, per account, in memory — never a production upstream.
 */
export interface SampleApi {
  readonly document: ApiDocument;
  register(app: FastifyInstance, context: SampleContext): void;
}

/** What the samples are given by the process that serves them. */
export interface SampleContext {
  /** Where Interaction Content Export writes its exports. */
  readonly exportStorage: ExportStorage;
}

/** The account the gateway vouched for (it strips any such header the caller sent). */
export function accountOf(request: FastifyRequest): string {
  const account = request.headers['x-keygate-account-id'];
  return typeof account === 'string' && account !== '' ? account : 'anonymous';
}

/** A small deterministic generator (mulberry32) seeded from a string: the same account sees the same data. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-account state created on first use. */
export class PerAccount<T> {
  readonly #states = new Map<string, T>();
  constructor(private readonly create: (account: string) => T) {}
  /** Every account's state made so far. */
  values(): IterableIterator<T> {
    return this.#states.values();
  }

  of(account: string): T {
    let state = this.#states.get(account);
    if (state === undefined) {
      state = this.create(account);
      this.#states.set(account, state);
    }
    return state;
  }
}

/** The OpenAPI security requirement naming the scopes an operation accepts (any of them). */
export function requires(...scopes: string[]) {
  return [{ vccOAuth: scopes }];
}

/** Shared pieces of every sample document. */
export function sampleDocument(
  api: string,
  title: string,
  versions: number[],
  paths: ApiDocument['paths'],
): ApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: `${title} (Keygate sample)`, version: String(versions[versions.length - 1] ?? 1) },
    'x-keygate-api': api,
    'x-keygate-versions': versions,
    paths,
    components: {
      securitySchemes: {
        vccOAuth: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: '/Auth/connect/token', scopes: {} } },
        },
      },
    },
  };
}
