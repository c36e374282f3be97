import { execFile } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a program with an argument array (never a shell string); a failure names the command, exit code and stderr tail. */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const tail = `${stderr}`.trim().split('\n').slice(-15).join('\n');
        const code = (error as { code?: unknown }).code;
        reject(
          new Error(
            `${program} ${args.join(' ')} failed (exit ${String(code)}) in ${options.cwd ?? process.cwd()}:\n${tail}`,
            { cause: error },
          ),
        );
      },
    );
  });
}
