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
 * SDK, or, for a first run on a laptop, a local directory standing in for S3. `put` writes for
 * `account` and rejects with an Error naming only the store's error code, never a path or a key.
 */
export interface ExportStorage {
  /** What exports are written to, for the banner and the logs. */
  readonly description: string;
  put(account: string, target: StorageTarget, key: string, body: Buffer, contentType: string): Promise<void>;
  close(): void;
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
 * path-style addressing, as such endpoints need. Credentials come from the AWS SDK's own chain
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
    description: `the S3-compatible endpoint ${endpoint}`,
    async put(_account, target, key, body, contentType) {
      if (closed) throw new Error('the storage is closed');
      try {
        const { PutObjectCommand } = await sdk();
        const client = await clientFor(target.region);
        await client.send(
          new PutObjectCommand({ Bucket: target.bucketName, Key: key, Body: body, ContentType: contentType }),
        );
      } catch (error) {
        throw new Error(`the storage answered ${(error as Error).name}`);
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
 * its own (named by a hash of its ID), in which bucket `b` is the folder `b`, made on the first
 * write, and each object a file; no account reaches another's.
 */
export function directoryStorage(root: string): ExportStorage {
  const base = resolve(root);
  return {
    description: `a local directory standing in for S3, ${base} (a folder per account and bucket)`,
    async put(account, target, key, body) {
      const owner = createHash('sha256').update(account).digest('hex').slice(0, 16);
      const bucket = join(base, owner, target.bucketName);
      const file = resolve(bucket, key);
      if (!isBucketName(target.bucketName) || !file.startsWith(bucket + sep)) {
        throw new Error('the storage answered InvalidObjectName');
      }
      try {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, body);
      } catch (error) {
        throw new Error(`the storage answered ${(error as NodeJS.ErrnoException).code ?? 'an error'}`);
      }
    },
    close() {},
  };
}
