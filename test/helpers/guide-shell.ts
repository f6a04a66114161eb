import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A guide's commands run with bash in the repository, as a reader runs them, changing only what
 * `replacements` names (ports, paths) and the placeholders filled from earlier steps' output.
 */
export class GuideShell {
  private readonly filled = new Map<string, string>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly replacements: Array<[RegExp | string, string]>,
  ) {}

  /** From now on, `placeholder` (CLIENT_ID, …) stands for `value`. */
  fill(placeholder: string, value: string): void {
    this.filled.set(placeholder, value);
  }

  /** The command as it is run. */
  asRun(command: string): string {
    let text = command;
    for (const [from, to] of this.replacements)
      text = typeof from === 'string' ? text.replaceAll(from, to) : text.replace(from, to);
    // A whole word only: CLIENT_ID is not the end of KEYGATE_CLIENT_ID.
    for (const [placeholder, value] of this.filled)
      text = text.replace(
        new RegExp(`(?<!\\w)${placeholder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`, 'g'),
        () => value,
      );
    return text;
  }

  run(command: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ShellResult> {
    return new Promise((resolve) => {
      execFile(
        'bash',
        ['-c', this.asRun(command)],
        { cwd: ROOT, env: { ...this.env, ...extraEnv } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** What the command prints; it must succeed. */
  async output(command: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    const result = await this.run(command, extraEnv);
    if (result.code !== 0) throw new Error(`${command}: exit ${result.code}: ${result.stderr}`);
    return result.stdout;
  }
}
