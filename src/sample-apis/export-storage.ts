import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

/** Where a customer's storage item points: an S3 bucket in a region. */
export interface StorageTarget {
  readonly bucketName: string;
  readonly region: string;
}

/**
 * Where the Interaction Content Export sample writes: an S3-compatible endpoint through the AWS
 * SDK, or, for a first run on a laptop, a local directory standing in for S3. `put` writes `key`
 * under the account's own folder (`accountFolder`), so no account's objects land among another's,
 * and rejects with a StorageRefused when the store does not take the object.
 */
export interface ExportStorage {
  /** What exports are written to, for the banner and the logs. */
  readonly description: string;
  put(account: string, target: StorageTarget, key: string, body: Buffer, contentType: string): Promise<void>;
  close(): void;
}

/**
 * A write the store did not take. Every cause reads the same to the caller: the store's own code
 * (`NoSuchBucket`, `AccessDenied`, `EACCES`) would tell a bucket that does not exist from one that
 * belongs to someone else, so it is kept in `code`, for the operator's log only.
 */
export class StorageRefused extends Error {
  constructor(readonly code: string) {
    super('the external storage could not be written to');
    this.name = 'StorageRefused';
  }
}

/** The folder an account's objects go to in any bucket: a hash of its ID, the same in every mode. */
export function accountFolder(account: string): string {
  return createHash('sha256').update(account).digest('hex').slice(0, 16);
}

/** Clients of the regions last used: a caller names the region, so the number kept is bounded. */
const MOST_REGIONS = 16;

/** S3's bucket naming rules (lower case, digits, dots, hyphens; 3–63): also keeps a name a plain folder name. */
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name);
}

/**
 * An S3-compatible endpoint (MinIO, Ceph, s3rver, or AWS itself by its regional URL), reached with
 * path-style addressing, as such endpoints need. Every account writes with the operator's
 * credentials, so each object's key starts with the account's folder: an account that names
 * another's bucket writes beside that account's objects, never over them. Credentials come from the AWS SDK's own chain
 * (`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, a profile, an instance role): the sample
 * ignores a storage item's `roleArn`, which only VCC's own account could assume.
 */
export function s3Storage(endpoint: string): ExportStorage {
  const clients = new Map<string, S3Client>();
  let closed = false;
  // Loaded on first use: the SDK is large, and most processes never export.
  const sdk = () => import('@aws-sdk/client-s3');
  const clientFor = async (region: string) => {
    let client = clients.get(region);
    if (client) {
      clients.delete(region);
      clients.set(region, client); // the most recently used last
    } else {
      const { S3Client } = await sdk();
      if (closed) throw new Error('closed');
      client = new S3Client({
        endpoint,
        region,
        forcePathStyle: true,
        maxAttempts: 2,
        // S3-compatible stores often lack the newer default integrity checksums; sent when required only.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
      });
      clients.set(region, client);
      if (clients.size > MOST_REGIONS) {
        const [oldest, evicted] = clients.entries().next().value!;
        clients.delete(oldest);
        evicted.destroy();
      }
    }
    return client;
  };
  return {
    description: `the S3-compatible endpoint ${endpoint} (a folder per account in each bucket)`,
    async put(account, target, key, body, contentType) {
      if (closed) throw new Error('the storage is closed');
      try {
        const { PutObjectCommand } = await sdk();
        const client = await clientFor(target.region);
        await client.send(
          new PutObjectCommand({
            Bucket: target.bucketName,
            Key: `${accountFolder(account)}/${key}`,
            Body: body,
            ContentType: contentType,
          }),
        );
      } catch (error) {
        throw new StorageRefused((error as Error).name);
      }
    },
    close() {
      closed = true;
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}

/**
 * A local directory standing in for S3, for a first run without one: each account has a folder of
 * its own (`accountFolder`), in which bucket `b` is the folder `b`, made on the first write, and
 * each object a file; no account reaches another's.
 */
export function directoryStorage(root: string): ExportStorage {
  const base = resolve(root);
  return {
    description: `a local directory standing in for S3, ${base} (a folder per account and bucket)`,
    async put(account, target, key, body) {
      const bucket = join(base, accountFolder(account), target.bucketName);
      const file = resolve(bucket, key);
      if (!isBucketName(target.bucketName) || !file.startsWith(bucket + sep)) {
        throw new StorageRefused('InvalidObjectName');
      }
      try {
        // Recordings and transcripts: readable by Keygate's own user alone, as its data directory is.
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await writeFile(file, body, { mode: 0o600 });
      } catch (error) {
        throw new StorageRefused((error as NodeJS.ErrnoException).code ?? 'an error');
      }
    },
    close() {},
  };
}
