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
 * SDK, or, for a first run on a laptop, a local directory standing in for S3. `put` rejects with
 * an Error whose message says what the store answered.
 */
export interface ExportStorage {
  /** What exports are written to, for the banner and the logs. */
  readonly description: string;
  put(target: StorageTarget, key: string, body: Buffer, contentType: string): Promise<void>;
  close(): void;
}

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
  // Loaded on first use: the SDK is large, and most processes never export.
  const sdk = () => import('@aws-sdk/client-s3');
  const clientFor = async (region: string) => {
    let client = clients.get(region);
    if (!client) {
      const { S3Client } = await sdk();
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
    }
    return client;
  };
  return {
    description: `the S3-compatible endpoint ${endpoint}`,
    async put(target, key, body, contentType) {
      try {
        const { PutObjectCommand } = await sdk();
        const client = await clientFor(target.region);
        await client.send(
          new PutObjectCommand({ Bucket: target.bucketName, Key: key, Body: body, ContentType: contentType }),
        );
      } catch (error) {
        const { name, message } = error as Error;
        throw new Error(`the storage refused ${key} in bucket ${target.bucketName}: ${name}: ${message}`);
      }
    },
    close() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}

/**
 * A local directory standing in for S3, for a first run without one: bucket `b` is the folder
 * `root/b`, made on the first write, and each object a file in it.
 */
export function directoryStorage(root: string): ExportStorage {
  const base = resolve(root);
  return {
    description: `a local directory standing in for S3, ${base} (one folder per bucket)`,
    async put(target, key, body) {
      const bucket = join(base, target.bucketName);
      const file = resolve(bucket, key);
      if (!isBucketName(target.bucketName) || !file.startsWith(bucket + sep)) {
        throw new Error(`the storage refused ${key}: not a bucket name and object key`);
      }
      try {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, body);
      } catch (error) {
        throw new Error(`the storage refused ${key} in ${bucket}: ${(error as Error).message}`);
      }
    },
    close() {},
  };
}
