/**
 * Other builds of Keygate, measured beside this one in the same run (on this machine speed moves 3×
 * between runs, so "before and after" holds only within one run), each comma-separated:
 *   BENCH_BASELINE       built checkouts
 *   BENCH_BASELINE_NAME  their names in the report (default: the path)
 *   BENCH_BASELINE_NODE  the Node binary each runs on, its native modules built for it (default:
 *                        this bench's): the same checkout installed under another Node line
 */
export interface BaselineBuild {
  checkout: string;
  name: string;
  node: string;
}

export function baselineBuilds(env: NodeJS.ProcessEnv = process.env): BaselineBuild[] {
  const names = (env.BENCH_BASELINE_NAME ?? '').split(',');
  const nodes = (env.BENCH_BASELINE_NODE ?? '').split(',');
  return (env.BENCH_BASELINE ?? '')
    .split(',')
    .filter(Boolean)
    .map((checkout, i) => ({ checkout, name: names[i] || checkout, node: nodes[i] || process.execPath }));
}
