// Keygate runs on the Node.js lines package.json's `engines` names. On an older Node its store
// binding (better-sqlite3 13) crashes the process without a word, so the reason is said first.
// Imported first by bin/keygate.js and scripts/start.mjs: it is evaluated before anything else loads.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const oldestMajor = Number(/^>=(\d+)/.exec(engines.node)[1]);

if (Number(process.versions.node.split('.')[0]) < oldestMajor) {
  process.stderr.write(
    `Keygate needs Node.js ${oldestMajor} or newer, and this is ${process.version} (${process.execPath}).\n` +
      `Install the ${oldestMajor} LTS line: .node-version names the release CI runs on, and the README ` +
      'says how to get it from the npm registry.\n',
  );
  process.exit(1);
}
