// Keygate runs on the Node.js lines package.json's `engines` names. On an older Node its store
// binding (better-sqlite3 13) crashes the process without a word, so the reason is said first.
// Imported first by bin/keygate.js and scripts/start.mjs: it is evaluated before anything else loads.
const OLDEST_MAJOR = 24;

if (Number(process.versions.node.split('.')[0]) < OLDEST_MAJOR) {
  process.stderr.write(
    `Keygate needs Node.js ${OLDEST_MAJOR} or newer, and this is ${process.version} (${process.execPath}).\n` +
      `Install the ${OLDEST_MAJOR} LTS line: .node-version names the release CI runs on, and the README ` +
      'says how to get it from the npm registry.\n',
  );
  process.exit(1);
}
