/**
 * Polls `url` until it answers 2xx, or throws after `timeoutMs` (with `describe()` in the message,
 * e.g. what the process printed). For servers started as child processes by benches and tests.
 */
export async function waitUntilReady(
  url: string,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const ready = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer in time${options.describe ? `: ${options.describe()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
