import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The launcher, `tools/lab/bin/lab.js` (what `npx lab` runs). */
export const labBin = fileURLToPath(new URL('../../bin/lab.js', import.meta.url));

/**
 * Runs the built CLI through its launcher; resolves with its exit code and output (never rejects
 * on a non-zero exit). `node` is the Node that starts the launcher (default: this one).
 */
export function runLab(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly node?: string; readonly cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      options.node ?? process.execPath,
      [labBin, ...args],
      { env, timeout: 180_000, ...(options.cwd ? { cwd: options.cwd } : {}) },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
