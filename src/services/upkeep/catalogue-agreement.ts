import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ApiDocumentVersion, RunningInstance } from '../../core/model.js';
import type { Store } from '../../store/store.js';

/** How often a process reports itself to the store. */
const REPORT_INTERVAL_MS = 30_000;
/** A process that has not reported for this long has stopped, or lost the store: it holds no one back. */
const LIVE_FOR_MS = 3 * REPORT_INTERVAL_MS;
/** Reports older than this leave the store (a process that crashed never removed its own). */
export const FORGET_AFTER_MS = 24 * 60 * 60_000;

/** Another region serves API documents this process does not serve alike. */
export class CatalogueDisagreement extends Error {
  override name = 'CatalogueDisagreement';
}

/** One API document that this process and another serve differently, or only one of them serves. */
interface Difference {
  readonly name: string;
  readonly ours: ApiDocumentVersion | undefined;
  readonly theirs: ApiDocumentVersion | undefined;
  readonly instance: RunningInstance;
}

/** Where `ours` and `instance`'s documents differ, by API name. */
function differences(ours: readonly ApiDocumentVersion[], instance: RunningInstance): Difference[] {
  const theirs = new Map(instance.apiDocuments.map((document) => [document.name, document]));
  const names = [...new Set([...ours.map((d) => d.name), ...theirs.keys()])].sort();
  const mine = new Map(ours.map((document) => [document.name, document]));
  return names.flatMap((name) => {
    const a = mine.get(name);
    const b = theirs.get(name);
    return a?.fingerprint === b?.fingerprint ? [] : [{ name, ours: a, theirs: b, instance }];
  });
}

function described(document: ApiDocumentVersion): string {
  const version = document.version === null ? 'no stated version' : `version ${document.version}`;
  return `${document.source} (${version}, sha256 ${document.fingerprint.slice(0, 12)})`;
}

/** One difference in words, naming both sides. */
function describeDifference(difference: Difference, region: string, now: Date): string {
  const { name, ours, theirs, instance } = difference;
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(instance.seenAt)) / 1000));
  const them = `region ${instance.region} (${instance.host}, seen ${seconds} s ago)`;
  const us = `this process (region ${region})`;
  if (ours && theirs) {
    return `API document ${name}: ${us} serves ${described(ours)}, ${them} serves ${described(theirs)}`;
  }
  if (ours) return `API document ${name}: ${us} serves ${described(ours)}, ${them} serves none`;
  return `API document ${name}: ${them} serves ${described(theirs as ApiDocumentVersion)}, ${us} serves none`;
}

interface Found {
  readonly text: string;
  readonly sameRegion: boolean;
  /** One warning per instance, API and version seen. */
  readonly key: string;
}

export interface AgreementOptions {
  readonly region: string;
  readonly apiDocuments: readonly ApiDocumentVersion[];
  /** Start, and go on, while other regions serve other documents: a rollout region by region. */
  readonly rollout: boolean;
  readonly warn: (message: string) => void;
}

/**
 * Holds every region to one catalogue. Each process reports the API documents it serves to the
 * shared store, and a process that starts with documents another region's live processes serve
 * differently is refused (`CatalogueDisagreement`), naming both versions; `rollout` lets it start
 * with a warning instead. Processes of one region are compared only as a warning: a rolling update
 * of a region passes through mixed versions. A running process that later sees a difference (a
 * region started with `rollout`) warns once for it.
 */
export class CatalogueAgreement {
  readonly #id = randomUUID();
  readonly #startedAt = new Date().toISOString();
  #timer: NodeJS.Timeout | undefined;
  #reporting: Promise<unknown> = Promise.resolve();
  #warned = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly options: AgreementOptions,
  ) {}

  /** Compares with the live processes, then reports this one; refuses a disagreeing region. */
  async join(now = new Date()): Promise<void> {
    const found = await this.#differences(now);
    const across = found.filter((f) => !f.sameRegion);
    if (across.length > 0 && !this.options.rollout) {
      throw new CatalogueDisagreement(
        [
          'every region must serve the same API documents, and these differ:',
          ...across.map((f) => `  ${f.text}`),
          'Deploy the same files to every region. To roll new versions out region by region, start',
          'each region with apiDocumentRollout: true (KEYGATE_API_DOCUMENT_ROLLOUT=true) until all serve them.',
        ].join('\n'),
      );
    }
    this.#warnOfNew(found);
    await this.#report(now);
  }

  /** Reports every REPORT_INTERVAL_MS, warning of each difference once. */
  start(onError: (error: unknown) => void, intervalMs = REPORT_INTERVAL_MS): void {
    this.#timer = setInterval(() => {
      const now = new Date();
      this.#reporting = this.#differences(now)
        .then((found) => {
          this.#warnOfNew(found);
          return this.#report(now);
        })
        .catch(onError);
    }, intervalMs).unref();
  }

  /** Stops reporting and removes this process's report, so that it holds no one back. */
  async leave(): Promise<void> {
    clearInterval(this.#timer);
    await this.#reporting;
    await this.store.instances.remove(this.#id);
  }

  async #differences(now: Date): Promise<Found[]> {
    const live = await this.store.instances.seenSince(new Date(now.getTime() - LIVE_FOR_MS));
    return live
      .filter((instance) => instance.id !== this.#id)
      .flatMap((instance) =>
        differences(this.options.apiDocuments, instance).map((difference) => ({
          text: describeDifference(difference, this.options.region, now),
          sameRegion: instance.region === this.options.region,
          key: `${instance.id} ${difference.name} ${difference.theirs?.fingerprint}`,
        })),
      );
  }

  /** Warns of what was not found last time; a difference that goes and comes back is told again. */
  #warnOfNew(found: readonly Found[]): void {
    for (const { text, sameRegion, key } of found) {
      if (this.#warned.has(key)) continue;
      this.options.warn(
        sameRegion
          ? `${text}; expected while a rolling update replaces this region's processes, not after it`
          : `${text}; every region must serve the same API documents: finish the rollout`,
      );
    }
    this.#warned = new Set(found.map((f) => f.key));
  }

  #report(now: Date): Promise<void> {
    return this.store.instances.report({
      id: this.#id,
      region: this.options.region,
      host: `${hostname()} pid ${process.pid}`,
      apiDocuments: this.options.apiDocuments,
      startedAt: this.#startedAt,
      seenAt: now.toISOString(),
    });
  }
}
