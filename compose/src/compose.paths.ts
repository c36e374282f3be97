import { join } from 'node:path';

/** The committed compose renderings of the stack, below the workspace root `root`. */
export function composePaths(root: string) {
  return {
    composeFile: join(root, 'compose/compose.yaml'),
    postgresOverride: join(root, 'compose/compose.postgres.yaml'),
  };
}
