/** The benchmark's upstream: the sample APIs (Agent Availability among them) in a process of their own. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryStorage } from '../../src/sample-apis/export-storage.js';
import { buildSampleApisApp } from '../../src/sample-apis/index.js';
import { createLogger } from '../../src/server/logger.js';

const port = Number(process.argv[2] ?? 0);
const app = buildSampleApisApp(createLogger('warn'), {
  exportStorage: directoryStorage(join(tmpdir(), 'keygate-bench-exports')),
});
await app.listen({ port, host: '127.0.0.1' });
process.send?.('ready');
