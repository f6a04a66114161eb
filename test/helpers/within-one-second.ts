/**
 * Retries `check` until it passes, failing with its last error after one second: the promise
 * Keygate makes for changes made elsewhere (the CLI, another instance) to reach a running server.
 */
export async function withinOneSecond(check: () => Promise<void>): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > 1000) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
