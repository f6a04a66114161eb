import { randomUUID } from 'node:crypto';
import type { AccountDirectory } from './directory.js';
import { type ExportStorage, StorageRefused, type StorageTarget } from './export-storage.js';
import { contentBody } from './sample-content.js';
import { interactionView } from './sample-data.js';

export const CONTENT_TYPES = [
  'callRecording',
  'screenRecording',
  'voicemail',
  'transcript',
  'chatTranscript',
  'categorizationResult',
  'attachment',
  'ivrAudioRecording',
  'conversationSummary',
  'sentimentSummary',
  'interactionLog',
] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;

/** VCC exports content once it is 12 hours old: younger content may still change. */
export const SETTLED_AFTER_MS = 12 * 3_600_000;
const RECURRING_EVERY_MS = 3_600_000;
/** The zero-byte object written to check a storage item before it is kept, as VCC does. */
export const CHECK_KEY = 'interaction-content-export-check';
const MOST_STORAGES = 100;
/** Jobs not yet Completed or Cancelled, per account; finished ones beyond MOST_JOBS are forgotten. */
const MOST_UNFINISHED_JOBS = 20;
const MOST_JOBS = 200;
/** What one account may export while the process runs: a sample, not an archive. */
export const MOST_BYTES = 256 * 1024 * 1024;

export type JobStatus = 'Scheduled' | 'Running' | 'Paused' | 'Completed' | 'Failed' | 'Cancelled';
export type JobAction = 'cancel' | 'restart' | 'pause';

export interface ExternalStorage {
  id: string;
  name: string;
  storageProvider: 'AWS_S3';
  credentials: { roleArn: string } & StorageTarget;
  createdAt: string;
}

export interface ExportFilters {
  contentTypes: string[];
  initialDirection: string[];
}

export interface ExportJob {
  jobId: string;
  type: 'export-batch' | 'export-recurring';
  startDate: string;
  /** Null for a recurring job: each hourly run exports what has turned 12 hours old since. */
  endDate: string | null;
  status: JobStatus;
  filters: ExportFilters;
  externalStorageId: string;
  createdAt: string;
  /** The latest run (a sample addition): when, how many items, and why it failed. */
  lastRun: {
    startedAt: string;
    finishedAt: string | null;
    exportedItems: number;
    failureReason?: string;
  } | null;
}

/** A refusal with the status and `{message}` the API answers it with. */
export class ExportRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** What an account's exports tell the operator's log. */
export interface ExportLog {
  /** A job failed for a reason of its own making, not the storage's. */
  failed(error: Error): void;
  /** The storage did not take an object; `code` is its reason, which the caller is never told. */
  refused(code: string): void;
}

/** A job that will not run again: VCC lets storage go once its jobs are all so. */
function isFinished(job: ExportJob): boolean {
  return job.status === 'Completed' || job.status === 'Cancelled';
}

/** The actions a job's status allows (VCC's change-status page), and where each leads. */
const TRANSITIONS: Record<JobAction, { from: readonly JobStatus[]; to: JobStatus }> = {
  cancel: { from: ['Scheduled', 'Running', 'Paused'], to: 'Cancelled' },
  restart: { from: ['Failed', 'Paused'], to: 'Scheduled' },
  pause: { from: ['Scheduled', 'Running'], to: 'Paused' },
};

/**
 * One account's storage items and export jobs. A job runs as soon as it is scheduled (a recurring
 * one again every hour), one job of the account at a time, and copies each matching content item
 * of the account's sample interactions to the storage, with a JSON file describing it; items a job
 * has already copied are not copied again when it is restarted or runs again.
 */
export class AccountExports {
  readonly #storages = new Map<string, ExternalStorage>();
  readonly #jobs = new Map<string, ExportJob>();
  readonly #copied = new Map<string, Set<string>>();
  readonly #runs = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** The account's runs, one after another. */
  #queue: Promise<void> = Promise.resolve();
  #bytes = 0;
  #closed = false;

  constructor(
    private readonly account: string,
    private readonly directory: AccountDirectory,
    private readonly storage: ExportStorage,
    private readonly log: ExportLog,
  ) {}

  /** Keeps a storage item once a zero-byte object is written to it; 400 when it cannot be. */
  async addStorage(item: Omit<ExternalStorage, 'id' | 'createdAt'>): Promise<ExternalStorage> {
    if (this.#storages.size >= MOST_STORAGES) {
      throw new ExportRefused(400, `An account can have at most ${MOST_STORAGES} external storage items`);
    }
    try {
      await this.storage.put(
        this.account,
        item.credentials,
        CHECK_KEY,
        Buffer.alloc(0),
        'application/octet-stream',
      );
    } catch (error) {
      if (!(error instanceof StorageRefused)) throw error;
      this.log.refused(error.code);
      // The same answer whatever the store said: an absent bucket reads as one it may not write.
      throw new ExportRefused(
        400,
        'The external storage could not be written to: check its bucket name and region, and that the storage credentials may write to it',
      );
    }
    const stored = { ...item, id: randomUUID(), createdAt: new Date().toISOString() };
    this.#storages.set(stored.id, stored);
    return stored;
  }

  removeStorage(id: string): void {
    if (!this.#storages.has(id)) throw new ExportRefused(404, `No external storage ${id}`);
    const unfinished = [...this.#jobs.values()].some(
      (job) => job.externalStorageId === id && !isFinished(job),
    );
    if (unfinished) {
      throw new ExportRefused(
        409,
        "Can't delete external storage, it's referenced by unfinished job(s). To delete storage, jobs referencing it must be in (Completed, Cancelled) status.",
      );
    }
    this.#storages.delete(id);
  }

  schedule(
    job: Pick<ExportJob, 'type' | 'startDate' | 'endDate' | 'filters' | 'externalStorageId'>,
  ): ExportJob {
    if (!this.#storages.has(job.externalStorageId)) {
      throw new ExportRefused(404, `No external storage ${job.externalStorageId}`);
    }
    const unfinished = [...this.#jobs.values()].filter((j) => !isFinished(j));
    if (unfinished.length >= MOST_UNFINISHED_JOBS) {
      throw new ExportRefused(400, `An account can have at most ${MOST_UNFINISHED_JOBS} unfinished jobs`);
    }
    this.#forgetFinishedBeyond(MOST_JOBS - 1);
    const created: ExportJob = {
      ...job,
      jobId: randomUUID(),
      status: 'Scheduled',
      createdAt: new Date().toISOString(),
      lastRun: null,
    };
    this.#jobs.set(created.jobId, created);
    this.#runSoon(created, 0);
    return created;
  }

  job(jobId: string): ExportJob {
    const job = this.#jobs.get(jobId);
    if (!job) throw new ExportRefused(404, `No job ${jobId}`);
    return job;
  }

  /** Newest first. */
  jobs(): ExportJob[] {
    return [...this.#jobs.values()].reverse();
  }

  act(jobId: string, action: JobAction): void {
    const job = this.job(jobId);
    const { from, to } = TRANSITIONS[action];
    if (!from.includes(job.status)) {
      throw new ExportRefused(
        409,
        `A job in status ${job.status} cannot be ${action === 'pause' ? 'paused' : `${action}ed`}; allowed from ${from.join(', ')}`,
      );
    }
    // A run in progress ends between two items; its time ends now.
    if (job.status === 'Running' && job.lastRun && job.lastRun.finishedAt === null) {
      job.lastRun.finishedAt = new Date().toISOString();
    }
    job.status = to;
    clearTimeout(this.#timers.get(jobId));
    if (to === 'Scheduled') this.#runSoon(job, 0);
  }

  /**
   * Stops every timer; a run in progress ends before its next item. Resolves once it has: the item
   * in flight is written whole before the storage it writes to is closed.
   */
  close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    return this.#queue;
  }

  #forgetFinishedBeyond(most: number): void {
    for (const job of this.#jobs.values()) {
      if (this.#jobs.size <= most) return;
      if (isFinished(job)) {
        this.#jobs.delete(job.jobId);
        this.#copied.delete(job.jobId);
        this.#runs.delete(job.jobId);
      }
    }
  }

  #runSoon(job: ExportJob, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(job.jobId);
      this.#queue = this.#queue.then(() => this.#run(job)).catch((error) => this.log.failed(error));
    }, delayMs);
    timer.unref();
    this.#timers.set(job.jobId, timer);
  }

  async #run(job: ExportJob): Promise<void> {
    if (job.status !== 'Scheduled') return;
    const run = (this.#runs.get(job.jobId) ?? 0) + 1;
    this.#runs.set(job.jobId, run);
    // A pause or cancel, or a newer run after a restart, ends this run between two items.
    const current = () => !this.#closed && this.#runs.get(job.jobId) === run && job.status === 'Running';
    job.status = 'Running';
    job.lastRun = { startedAt: new Date().toISOString(), finishedAt: null, exportedItems: 0 };
    const lastRun = job.lastRun;
    const copied = this.#copied.get(job.jobId) ?? new Set<string>();
    this.#copied.set(job.jobId, copied);
    const storage = this.#storages.get(job.externalStorageId);
    try {
      if (!storage) throw new Error(`its external storage ${job.externalStorageId} was deleted`);
      const from = Date.parse(job.startDate);
      const settled = Date.now() - SETTLED_AFTER_MS;
      const to = job.endDate === null ? settled : Math.min(Date.parse(job.endDate), settled);
      const { contentTypes, initialDirection } = job.filters;
      for (const interaction of this.directory.between(from, to + 1)) {
        if (initialDirection.length > 0 && !initialDirection.includes(interaction.direction)) continue;
        for (const content of interaction.content) {
          if (contentTypes.length > 0 && !contentTypes.includes(content.type)) continue;
          const item = `${interaction.guid}/${content.contentKey}`;
          if (copied.has(item)) continue;
          if (!current()) return;
          if (this.#bytes >= MOST_BYTES) {
            throw new Error(
              `this sample exports at most ${MOST_BYTES / 1024 / 1024} MiB per account while it runs`,
            );
          }
          const folder = `interaction-content/${interaction.start.slice(0, 10)}/${interaction.guid}`;
          const extension = content.contentType === 'audio/wav' ? 'wav' : 'json';
          const described = { ...interactionView(interaction), content: [content] };
          const body = contentBody(interaction, content);
          const metadata = Buffer.from(JSON.stringify(described));
          this.#bytes += body.length + metadata.length;
          await this.storage.put(
            this.account,
            storage.credentials,
            `${folder}/${content.contentKey}.${extension}`,
            body,
            content.contentType,
          );
          await this.storage.put(
            this.account,
            storage.credentials,
            `${folder}/${content.contentKey}.metadata.json`,
            metadata,
            'application/json',
          );
          copied.add(item);
          lastRun.exportedItems += 1;
        }
      }
      if (!current()) return;
      lastRun.finishedAt = new Date().toISOString();
      if (job.type === 'export-batch') {
        job.status = 'Completed';
      } else {
        job.status = 'Scheduled';
        this.#runSoon(job, RECURRING_EVERY_MS);
      }
    } catch (error) {
      if (error instanceof StorageRefused) this.log.refused(error.code);
      if (!current()) return;
      lastRun.finishedAt = new Date().toISOString();
      lastRun.failureReason = (error as Error).message;
      job.status = 'Failed';
    }
  }
}
