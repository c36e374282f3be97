import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const labBin = fileURLToPath(new URL('../../bin/lab.js', import.meta.url));

/** Runs the built CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runLab(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [labBin, ...args], { env, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
