import { type NodeService, startNodeService } from '@obslab/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** task-api's entry point in the workspace, as `npm start` runs it. */
export const TASK_API_MAIN = fileURLToPath(new URL('../../../task-api/dist/bundle/main.js', import.meta.url));

/** The built UI (vite's output). */
export const UI_DIST = fileURLToPath(new URL('../../dist/public', import.meta.url));

/** task-api in a child process on a free loopback port with a fresh SQLite DATA_DIR. */
export type TaskApiProcess = Omit<NodeService, 'stop'> & { stop(): Promise<void> };

export async function startTaskApi(env: NodeJS.ProcessEnv = {}): Promise<TaskApiProcess> {
  if (!existsSync(TASK_API_MAIN)) {
    throw new Error(`${TASK_API_MAIN} is missing: build task-api first (npx nx run task-api:build)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'obslab-frontend-task-api-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const service = await startNodeService({ script: TASK_API_MAIN, env: { DATA_DIR: dataDir, ...env } });
    return {
      ...service,
      async stop() {
        await service.stop();
        removeData();
      },
    };
  } catch (error) {
    removeData();
    throw error;
  }
}

/** The request log lines of task-api (one per request, with `trace_id` inside a traced request). */
export function requestLines(logs: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return logs.filter((line) => line['msg'] === 'request');
}
