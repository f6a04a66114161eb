import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type StartedProcess, startProcess } from '../../testkit/process.js';

/** The `keygate` command as a user runs it (the built CLI). */
export const KEYGATE_BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

/**
 * Runs `keygate start …` (args after `start`) in a child process with `env`, and waits until
 * `readyUrl` answers. `output()` is what it has written so far, stdout and stderr together.
 */
export function startKeygateProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyUrl: string,
): Promise<StartedProcess> {
  return startProcess(process.execPath, [KEYGATE_BIN, 'start', ...args], {
    // Any free port for the ops listener unless the test names one: tests run side by side.
    env: { KEYGATE_METRICS_PORT: '0', ...env },
    ready: { url: readyUrl },
    timeoutMs: 15_000,
  });
}

/** `keygate credentials create --json` against the store `env` names; returns the new client. */
export function createCredentialWithCli(
  env: NodeJS.ProcessEnv,
  name: string,
  scope: string,
): { clientId: string; clientSecret: string } {
  const created = JSON.parse(
    execFileSync(
      process.execPath,
      [KEYGATE_BIN, 'credentials', 'create', '--name', name, '--scope', scope, '--json'],
      { env, encoding: 'utf8' },
    ),
  ) as { client_id: string; client_secret: string };
  return { clientId: created.client_id, clientSecret: created.client_secret };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `keygate <args>` as an operator runs it, in an environment of `env` alone. */
export function runKeygate(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [KEYGATE_BIN, ...args], { env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `keygate explain … --json` on the store and configuration `env` names, parsed. */
export async function explainWithCli(
  env: NodeJS.ProcessEnv,
  token: string,
  path: string,
  method = 'GET',
): Promise<{ code: number; json: Record<string, unknown> }> {
  const { code, stdout, stderr } = await runKeygate(
    ['explain', '--token', token, '--method', method, '--path', path, '--json'],
    env,
  );
  try {
    return { code, json: JSON.parse(stdout) as Record<string, unknown> };
  } catch {
    throw new Error(`keygate explain: ${stderr}`);
  }
}
