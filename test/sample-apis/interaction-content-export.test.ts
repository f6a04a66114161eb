import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3-server.js';
import { issueToken } from '../helpers/tokens.js';

const HOUR = 3_600_000;
const BASE = '/interaction-content-export';
const iso = (at: number) => new Date(at).toISOString();
const storageBody = (bucketName: string, region = 'us-east-1') => ({
  name: 'Archive',
  storageProvider: 'AWS_S3',
  credentials: { roleArn: 'arn:aws:iam::123456789012:role/vcc-export', region, bucketName },
});
/** An account's folder in a bucket: 16 hex digits, then the object's own key. */
const FOLDER = /^([0-9a-f]{16})\//;
const folderOf = (key: string) => FOLDER.exec(key)?.[1];

/** Interaction Content Export through the gateway, writing to a real S3-compatible server. */
describe('the Interaction Content Export sample', () => {
  let s3: TestS3;
  let keygate: TestKeygate;
  let token: string;
  const environment = { ...process.env };

  const call = async (method: string, path: string, body?: unknown, bearer = token) => {
    const res = await fetch(`${keygate.gatewayUrl}${BASE}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        accept: 'application/vnd.newvoicemedia.v1+json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const job = async (jobId: string, bearer = token) =>
    (await call('GET', `/interactions/jobs/${jobId}`, undefined, bearer)).body;
  const settledJob = async (jobId: string, until: (status: string) => boolean) => {
    await expect.poll(async () => (await job(jobId)).status, { timeout: 10_000 }).toSatisfy(until);
    return job(jobId);
  };

  beforeAll(async () => {
    s3 = await startS3(['exports', 'other-exports', 'stopped-exports', 'shared-exports']);
    // Keygate's S3 client takes its credentials from the AWS SDK's chain, as in production.
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    keygate = await startTestKeygate({ sampleExportS3Endpoint: s3.url });
    const client = await keygate.createCredential(['interaction-content:read', 'stats'], 'Archiver');
    token = await issueToken(keygate, client, 'interaction-content:read');
  });
  afterAll(async () => {
    await keygate?.stop();
    await s3?.stop();
    process.env = environment;
  });

  /** A token of a second account, made in the same store. */
  const otherAccountToken = async (name: string) => {
    const other = await keygate.store.accounts.create({ name, region: keygate.config.region });
    const made = await keygate.credentials.create({
      accountId: other.id,
      name: `${name} archiver`,
      scopes: ['interaction-content:read'],
    });
    return issueToken(
      keygate,
      { clientId: made.credential.clientId, clientSecret: made.clientSecret! },
      'interaction-content:read',
    );
  };

  it('creates a storage item after writing a zero-byte object to its bucket, in the account’s folder', async () => {
    const created = await call('POST', '/external-storage', storageBody('exports'));
    expect(created.status).toBe(200);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.jobId).toBe(created.body.id);
    const check = (await s3.keys('exports')).find((k) => k.endsWith('/interaction-content-export-check'));
    expect(check).toMatch(/^[0-9a-f]{16}\/interaction-content-export-check$/);
    expect((await s3.read('exports', check!)).length).toBe(0);
  });

  it('answers an absent bucket as it answers one it may not write: 400, the same words', async () => {
    const absent = await call('POST', '/interactions/external-storage', storageBody('no-such-bucket'));
    // The bucket exists, but the access key the storage is written with is one s3rver does not
    // know, as for a bucket of someone else's. The SDK reads it when a region is first written to.
    process.env.AWS_ACCESS_KEY_ID = 'NOT-S3RVER';
    let forbidden: Awaited<ReturnType<typeof call>>;
    try {
      forbidden = await call('POST', '/external-storage', storageBody('exports', 'eu-west-3'));
    } finally {
      process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    }
    expect(absent.status).toBe(400);
    expect(absent.body.message).toMatch(/^The external storage could not be written to/);
    expect(absent.body.message).not.toMatch(/NoSuchBucket/);
    expect({ status: forbidden.status, body: forbidden.body }).toEqual({
      status: absent.status,
      body: absent.body,
    });
    const bad = await call('POST', '/external-storage', {
      ...storageBody('exports'),
      storageProvider: 'GCS',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ message: 'storageProvider must be AWS_S3' });
  });

  it('runs a batch export whose recordings, transcripts and their metadata land in the bucket', async () => {
    const storage = (await call('POST', '/external-storage', storageBody('exports'))).body.id;
    const scheduled = await call('POST', '/interactions/jobs/schedule-batch-export', {
      startDate: iso(Date.now() - 4 * 24 * HOUR),
      endDate: iso(Date.now() - 2 * 24 * HOUR),
      filters: { contentTypes: ['callRecording'], initialDirection: [] },
      externalStorageId: storage,
    });
    expect(scheduled.status).toBe(200);
    const done = await settledJob(scheduled.body.jobId, (status) => status === 'Completed');
    expect(done).toMatchObject({
      type: 'export-batch',
      externalStorageId: storage,
      endDate: expect.any(String),
    });
    expect(done.lastRun.exportedItems).toBeGreaterThan(0);

    const keys = (await s3.keys('exports')).filter((k) => /^[0-9a-f]{16}\/interaction-content\//.test(k));
    const recordings = keys.filter((k) => k.endsWith('/callRecording.wav'));
    expect(recordings.length).toBe(done.lastRun.exportedItems);
    expect(keys.some((k) => k.includes('transcript'))).toBe(false);
    const first = recordings[0]!;
    expect((await s3.read('exports', first)).subarray(0, 4).toString()).toBe('RIFF');
    const metadata = JSON.parse(
      (await s3.read('exports', first.replace('.wav', '.metadata.json'))).toString(),
    );
    expect(metadata).toMatchObject({
      guid: first.split('/')[3],
      direction: expect.stringMatching(/^(inbound|outbound)$/),
      content: [{ contentKey: 'callRecording', contentType: 'audio/wav' }],
    });
    // Only interactions of the window: two days, four a day.
    expect(recordings.length).toBeLessThanOrEqual(12);
  });

  it('runs a recurring export at once up to 12 hours ago; the run completes and the job waits for the next', async () => {
    const storage = (await call('POST', '/external-storage', storageBody('other-exports'))).body.id;
    const scheduled = await call('POST', '/interactions/jobs/schedule-recurring-export', {
      startDate: iso(Date.now() - 30 * HOUR),
      filters: { contentTypes: ['transcript'], initialDirection: ['inbound', 'outbound'] },
      externalStorageId: storage,
    });
    expect(scheduled.status).toBe(200);
    const waiting = await settledJob(scheduled.body.jobId, () => true);
    await expect
      .poll(async () => (await job(scheduled.body.jobId)).lastRun?.finishedAt ?? null, { timeout: 10_000 })
      .not.toBeNull();
    const after = await job(scheduled.body.jobId);
    expect(after).toMatchObject({ type: 'export-recurring', endDate: null, status: 'Scheduled' });
    expect(waiting.jobId).toBe(scheduled.body.jobId);
    const transcripts = (await s3.keys('other-exports')).filter((k) => k.endsWith('/transcript.json'));
    expect(transcripts.length).toBe(after.lastRun.exportedItems);
    expect(transcripts.length).toBeGreaterThan(0);
    // VCC's curl example names the same operation schedule-recurring-job.
    const alias = await call('POST', '/interactions/jobs/schedule-recurring-job', {
      startDate: iso(Date.now() - 30 * HOUR),
      filters: { contentTypes: [], initialDirection: [] },
      externalStorageId: storage,
    });
    expect(alias.status).toBe(200);
    expect((await call('POST', `/interactions/jobs/${alias.body.jobId}/cancel`)).status).toBe(204);
  });

  it('cancels a job, refuses actions its status does not allow, and lists jobs a page at a time', async () => {
    const storage = (await call('POST', '/external-storage', storageBody('exports'))).body.id;
    const scheduled = await call('POST', '/interactions/jobs/schedule-recurring-export', {
      startDate: iso(Date.now() - 24 * HOUR),
      filters: { contentTypes: [], initialDirection: [] },
      externalStorageId: storage,
    });
    const { jobId } = scheduled.body;
    expect((await call('POST', `/interactions/jobs/${jobId}/pause`)).status).toBe(204);
    expect((await job(jobId)).status).toBe('Paused');
    // Storage that an unfinished job uses stays.
    const kept = await call('DELETE', `/external-storage/${storage}`);
    expect(kept.status).toBe(409);
    expect(kept.body.message).toMatch(/referenced by unfinished job/);
    expect((await call('POST', `/interactions/jobs/${jobId}/cancel`)).status).toBe(204);
    expect((await job(jobId)).status).toBe('Cancelled');
    const again = await call('POST', `/interactions/jobs/${jobId}/restart`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/status Cancelled cannot be restarted/);
    expect((await call('DELETE', `/external-storage/${storage}`)).status).toBe(204);

    const page = await call('GET', '/interactions/jobs?page=1&limit=2');
    expect(page.status).toBe(200);
    expect(page.body.jobs).toHaveLength(2);
    expect(page.body.jobs[0].jobId).toBe(jobId); // newest first
    expect(page.body.meta).toMatchObject({ page: 1, pageCount: 2 });
    expect(page.body.meta.totalCount).toBeGreaterThanOrEqual(4);
    expect((await call('GET', '/interactions/jobs?limit=1001')).status).toBe(400);
  });

  it('refuses dates younger than 12 hours and malformed bodies with {message}', async () => {
    const storage = (await call('POST', '/external-storage', storageBody('exports'))).body.id;
    const schedule = (body: Record<string, unknown>) =>
      call('POST', '/interactions/jobs/schedule-batch-export', {
        startDate: iso(Date.now() - 48 * HOUR),
        endDate: iso(Date.now() - 24 * HOUR),
        filters: { contentTypes: [], initialDirection: [] },
        externalStorageId: storage,
        ...body,
      });
    const young = await schedule({ endDate: iso(Date.now() - HOUR) });
    expect(young.status).toBe(400);
    expect(young.body).toEqual({ message: 'endDate cannot be later than 12 hours before now' });
    expect((await schedule({ filters: { contentTypes: ['fax'] } })).status).toBe(400);
    expect((await schedule({ externalStorageId: '111414121313' })).body).toEqual({
      message: "GUID '111414121313' is not a valid UUID string",
    });
    expect((await schedule({ externalStorageId: crypto.randomUUID() })).status).toBe(404);
  });

  it('ends a run in progress when Keygate stops: nothing is written after the item in flight', async () => {
    const other = await startTestKeygate({ sampleExportS3Endpoint: s3.url });
    const client = await other.createCredential(['interaction-content:read']);
    const bearer = await issueToken(other, client, 'interaction-content:read');
    const post = async (path: string, body: unknown) =>
      (
        await fetch(`${other.gatewayUrl}${BASE}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json() as Promise<{ id: string }>;
    const { id } = await post('/external-storage', storageBody('stopped-exports'));
    // A quarter of recordings and transcripts: hundreds of objects, seconds of writes.
    await post('/interactions/jobs/schedule-batch-export', {
      startDate: iso(Date.now() - 90 * 24 * HOUR),
      endDate: iso(Date.now() - 13 * HOUR),
      filters: { contentTypes: [], initialDirection: [] },
      externalStorageId: id,
    });
    // Under way: a loaded machine may take seconds to write the first twenty objects.
    await expect
      .poll(async () => (await s3.keys('stopped-exports')).length, { timeout: 15_000 })
      .toBeGreaterThan(20);
    await other.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const atStop = (await s3.keys('stopped-exports')).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await s3.keys('stopped-exports')).length).toBe(atStop);
    expect(atStop).toBeLessThan(1000);
  });

  it('refuses a token without interaction-content:read: 403 naming the scope', async () => {
    const client = await keygate.createCredential(['stats'], 'Stats only');
    const stats = await issueToken(keygate, client, 'stats');
    const refused = await call('POST', '/external-storage', storageBody('exports'), stats);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="interaction-content:read"');
  });

  it('puts each account’s exports in a folder of its own, even in a bucket both name', async () => {
    const exportTo = async (bearer: string) => {
      const storage = await call('POST', '/external-storage', storageBody('shared-exports'), bearer);
      expect(storage.status).toBe(200);
      const scheduled = await call(
        'POST',
        '/interactions/jobs/schedule-batch-export',
        {
          startDate: iso(Date.now() - 3 * 24 * HOUR),
          endDate: iso(Date.now() - 2 * 24 * HOUR),
          filters: { contentTypes: ['transcript'], initialDirection: [] },
          externalStorageId: storage.body.id,
        },
        bearer,
      );
      await expect
        .poll(async () => (await job(scheduled.body.jobId, bearer)).status, { timeout: 10_000 })
        .toBe('Completed');
    };
    await exportTo(token);
    const mine = await s3.keys('shared-exports');
    await exportTo(await otherAccountToken('Neighbour'));
    const all = await s3.keys('shared-exports');
    // Every object sits in an account's folder; the other account's went beside mine, not among them.
    expect(all.every((key) => folderOf(key) !== undefined)).toBe(true);
    const folders = new Set(all.map(folderOf));
    expect(folders.size).toBe(2);
    const myFolder = folderOf(mine[0]!);
    expect(new Set(mine.map(folderOf))).toEqual(new Set([myFolder]));
    expect(all.filter((key) => folderOf(key) === myFolder)).toEqual(mine);
    for (const folder of folders) expect(all).toContain(`${folder}/interaction-content-export-check`);
  });

  it('keeps each tenant’s storage and jobs to itself', async () => {
    const mine = await call('POST', '/interactions/jobs/schedule-batch-export', {
      startDate: iso(Date.now() - 48 * HOUR),
      endDate: iso(Date.now() - 24 * HOUR),
      filters: { contentTypes: [], initialDirection: [] },
      externalStorageId: (await call('POST', '/external-storage', storageBody('exports'))).body.id,
    });
    const theirs = await otherAccountToken('Other');
    expect((await call('GET', '/interactions/jobs', undefined, theirs)).body.jobs).toEqual([]);
    expect((await call('GET', `/interactions/jobs/${mine.body.jobId}`, undefined, theirs)).status).toBe(404);
    expect(
      (await call('POST', `/interactions/jobs/${mine.body.jobId}/cancel`, undefined, theirs)).status,
    ).toBe(404);
    const myStorage = (await job(mine.body.jobId)).externalStorageId;
    expect((await call('DELETE', `/external-storage/${myStorage}`, undefined, theirs)).status).toBe(404);
    const borrowed = await call(
      'POST',
      '/interactions/jobs/schedule-batch-export',
      {
        startDate: iso(Date.now() - 48 * HOUR),
        endDate: iso(Date.now() - 24 * HOUR),
        filters: { contentTypes: [], initialDirection: [] },
        externalStorageId: myStorage,
      },
      theirs,
    );
    expect(borrowed.status).toBe(404);
  });
});

/** Without an S3 endpoint, as on a first run on a laptop: a local directory stands in. */
describe('the Interaction Content Export sample without S3', () => {
  let keygate: TestKeygate;
  afterAll(() => keygate?.stop());

  it('writes the check object and the exports to a folder per account and bucket', async () => {
    const root = mkdtempSync(join(tmpdir(), 'keygate-exports-'));
    keygate = await startTestKeygate({ sampleExportDirectory: root });
    const client = await keygate.createCredential(['interaction-content:read']);
    const token = await issueToken(keygate, client, 'interaction-content:read');
    const post = async (path: string, body: unknown) =>
      (
        await fetch(`${keygate.gatewayUrl}${BASE}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json() as Promise<{ id?: string; jobId: string }>;
    const { id } = await post('/external-storage', storageBody('laptop-bucket'));
    // A folder per account (a hash of its ID), then one per bucket: no account reaches another's.
    const [owner] = readdirSync(root);
    expect(owner).toMatch(/^[0-9a-f]{16}$/);
    const bucket = join(root, owner!, 'laptop-bucket');
    expect(existsSync(join(bucket, 'interaction-content-export-check'))).toBe(true);
    await post('/interactions/jobs/schedule-batch-export', {
      startDate: iso(Date.now() - 3 * 24 * HOUR),
      endDate: iso(Date.now() - 2 * 24 * HOUR),
      filters: { contentTypes: [], initialDirection: [] },
      externalStorageId: id,
    });
    await expect
      .poll(() =>
        readdirSync(bucket, { recursive: true }).filter((f) => String(f).endsWith('.metadata.json')),
      )
      .not.toHaveLength(0);
    // Content is readable by Keygate's user alone: folders 0700, files 0600.
    const exported = readdirSync(bucket, { recursive: true }).map((f) => join(bucket, String(f)));
    for (const path of [join(root, owner!), bucket, ...exported]) {
      const mode = statSync(path).mode & 0o777;
      expect(mode, path).toBe(statSync(path).isDirectory() ? 0o700 : 0o600);
    }
  });
});
