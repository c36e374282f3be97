import { type NodeService, startNodeService } from '@obslab/testing';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The service as users run it: `node dist/bundle/main.js` in a child process. */
export type ServiceProcess = NodeService;

/** The bundle (scripts/bundle.mjs) that `npm start` and the container image run. */
export const MAIN_JS = fileURLToPath(new URL('../bundle/main.js', import.meta.url));

/** Runs main.js with exactly `env` (plus PATH), waiting for the process to exit. */
export function runMain(
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS], {
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.js did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts main.js on a free port and waits until it answers /health/live. */
export function startServiceProcess(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  return startNodeService({ script: MAIN_JS, env });
}
