import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { directories } from './directory.js';
import {
  AccountExports,
  CONTENT_TYPES,
  DIRECTIONS,
  type ExportFilters,
  ExportRefused,
  type JobAction,
  SETTLED_AFTER_MS,
} from './export-jobs.js';
import { type ExportStorage, isBucketName } from './export-storage.js';
import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

const READ = requires('interaction-content:read');
const BASE = '/interaction-content-export';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const operation = (summary: string, status = 200) => ({
  summary,
  security: READ,
  responses: { [status]: { description: summary } },
});

/**
 * Interaction Content Export v1 (VCC beta): external storage items, and jobs that copy interaction
 * content to them once or every hour. VCC's pages name some paths two ways (the prose against its
 * own curl examples); both are served, so code written from either works.
 */
const document = sampleDocument('interaction-content-export', 'Interaction Content Export', [1], {
  [`${BASE}/external-storage`]: { post: operation('Create an external storage item') },
  [`${BASE}/interactions/external-storage`]: { post: operation('Create an external storage item') },
  [`${BASE}/external-storage/{id}`]: { delete: operation('Delete an external storage item', 204) },
  [`${BASE}/interactions/external-storage/{id}`]: {
    delete: operation('Delete an external storage item', 204),
  },
  [`${BASE}/interactions/jobs/schedule-batch-export`]: { post: operation('Schedule a one-time export job') },
  [`${BASE}/interactions/jobs/schedule-recurring-export`]: {
    post: operation('Schedule an hourly export job'),
  },
  [`${BASE}/interactions/jobs/schedule-recurring-job`]: { post: operation('Schedule an hourly export job') },
  [`${BASE}/interactions/jobs`]: { get: operation('List jobs, a page at a time') },
  [`${BASE}/interactions/jobs/{id}`]: { get: operation('Get one job (a sample addition)') },
  [`${BASE}/interactions/jobs/{id}/{action}`]: { post: operation('Cancel, restart or pause a job', 204) },
});

type Body = Record<string, unknown>;

function bodyOf(request: FastifyRequest): Body {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ExportRefused(400, 'The request body must be a JSON object');
  }
  return body as Body;
}

function text(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 2048) {
    throw new ExportRefused(400, `${field} is required: a string`);
  }
  return value;
}

function date(body: Body, field: string): string {
  const value = text(body, field);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ExportRefused(
      400,
      `${field} must be an ISO 8601 date and time, such as 2024-05-01T18:35:24.00Z`,
    );
  }
  return value;
}

function filtersOf(body: Body): ExportFilters {
  const filters = body.filters as Body | undefined;
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
    throw new ExportRefused(400, 'filters is required: {"contentTypes": [...], "initialDirection": [...]}');
  }
  const list = (field: string, allowed: readonly string[]) => {
    const value = filters[field] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && allowed.includes(v))) {
      throw new ExportRefused(400, `filters.${field} must be a list of: ${allowed.join(', ')}`);
    }
    return [...new Set(value as string[])];
  };
  return {
    contentTypes: list('contentTypes', CONTENT_TYPES),
    initialDirection: list('initialDirection', DIRECTIONS),
  };
}

function storageId(body: Body): string {
  const id = text(body, 'externalStorageId');
  if (!UUID.test(id)) throw new ExportRefused(400, `GUID '${id.slice(0, 64)}' is not a valid UUID string`);
  return id;
}

/** Content is exported once it is 12 hours old: a date after that is refused. */
function settled(value: string, field: string): void {
  if (Date.parse(value) > Date.now() - SETTLED_AFTER_MS) {
    throw new ExportRefused(400, `${field} cannot be later than 12 hours before now`);
  }
}

/** The routes of one app, with its own storage items and jobs per account. */
function registerExports(app: FastifyInstance, storage: ExportStorage): void {
  const accounts = new PerAccount(
    (account) =>
      new AccountExports(account, directories.of(account), storage, {
        failed: (error) =>
          app.log.error({ err: error }, 'an interaction content export job failed unexpectedly'),
        refused: (code) => app.log.warn({ storageError: code }, 'the export storage refused a write'),
      }),
  );
  const exportsOf = (request: FastifyRequest) => accounts.of(accountOf(request));
  const refuse = (reply: FastifyReply, error: unknown) => {
    if (error instanceof ExportRefused) return reply.code(error.status).send({ message: error.message });
    throw error;
  };

  const createStorage = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const body = bodyOf(request);
      const name = text(body, 'name');
      const provider = text(body, 'storageProvider');
      if (provider !== 'AWS_S3') throw new ExportRefused(400, 'storageProvider must be AWS_S3');
      const credentials = (body.credentials ?? {}) as Body;
      const target = {
        roleArn: text(credentials, 'roleArn'),
        region: text(credentials, 'region'),
        bucketName: text(credentials, 'bucketName'),
      };
      if (!isBucketName(target.bucketName))
        throw new ExportRefused(400, 'credentials.bucketName is not an S3 bucket name');
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(target.region))
        throw new ExportRefused(400, 'credentials.region is not an AWS region');
      const stored = await exportsOf(request).addStorage({
        name,
        storageProvider: 'AWS_S3',
        credentials: target,
      });
      // VCC's example names the new item's ID `jobId`; `id` says what it is.
      return { id: stored.id, jobId: stored.id };
    } catch (error) {
      return refuse(reply, error);
    }
  };
  const deleteStorage = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      exportsOf(request).removeStorage((request.params as { id: string }).id);
      return reply.code(204).send();
    } catch (error) {
      return refuse(reply, error);
    }
  };
  const schedule =
    (type: 'export-batch' | 'export-recurring') => async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const body = bodyOf(request);
        const startDate = date(body, 'startDate');
        const endDate = type === 'export-batch' ? date(body, 'endDate') : null;
        if (endDate !== null) {
          settled(startDate, 'startDate');
          settled(endDate, 'endDate');
          if (Date.parse(endDate) < Date.parse(startDate))
            throw new ExportRefused(400, 'endDate cannot be before startDate');
        }
        const job = exportsOf(request).schedule({
          type,
          startDate,
          endDate,
          filters: filtersOf(body),
          externalStorageId: storageId(body),
        });
        return { jobId: job.jobId };
      } catch (error) {
        return refuse(reply, error);
      }
    };
  app.post(`${BASE}/external-storage`, createStorage);
  app.post(`${BASE}/interactions/external-storage`, createStorage);
  app.delete(`${BASE}/external-storage/:id`, deleteStorage);
  app.delete(`${BASE}/interactions/external-storage/:id`, deleteStorage);
  app.post(`${BASE}/interactions/jobs/schedule-batch-export`, schedule('export-batch'));
  app.post(`${BASE}/interactions/jobs/schedule-recurring-export`, schedule('export-recurring'));
  app.post(`${BASE}/interactions/jobs/schedule-recurring-job`, schedule('export-recurring'));
  app.get(`${BASE}/interactions/jobs`, async (request, reply) => {
    const query = request.query as { page?: string; limit?: string; size?: string };
    const page = Number(query.page ?? 1);
    // `limit` in VCC's current page, `size` in an earlier one.
    const limit = Number(query.limit ?? query.size ?? 100);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return reply.code(400).send({ message: 'page must be 1 or more and limit 1–1000' });
    }
    const all = exportsOf(request).jobs();
    const jobs = all.slice((page - 1) * limit, page * limit);
    return {
      jobs,
      meta: { page, count: Math.ceil(all.length / limit), pageCount: jobs.length, totalCount: all.length },
    };
  });
  app.get(`${BASE}/interactions/jobs/:id`, async (request, reply) => {
    try {
      return exportsOf(request).job((request.params as { id: string }).id);
    } catch (error) {
      return refuse(reply, error);
    }
  });
  app.post(`${BASE}/interactions/jobs/:id/:action`, async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    try {
      if (action !== 'cancel' && action !== 'restart' && action !== 'pause') {
        throw new ExportRefused(400, 'action must be cancel, restart or pause');
      }
      exportsOf(request).act(id, action as JobAction);
      return reply.code(204).send();
    } catch (error) {
      return refuse(reply, error);
    }
  });
  app.addHook('onClose', async () => {
    await Promise.all([...accounts.values()].map((account) => account.close()));
    storage.close();
  });
}

export const interactionContentExport: SampleApi = {
  document,
  register: (app, context) => registerExports(app, context.exportStorage),
};
