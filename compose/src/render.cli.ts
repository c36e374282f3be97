// `nx run compose:render`: writes the compose renderings of the stack into compose/.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { findWorkspaceRoot, workspaceStack } from '@obslab/stack';
import { composePaths } from './compose.paths.js';
import { renderCompose, renderComposePostgresOverride } from './compose.renderer.js';

const root = findWorkspaceRoot();
const paths = composePaths(root);
const stack = workspaceStack(root);
for (const [file, text] of [
  [paths.composeFile, renderCompose(stack)],
  [paths.postgresOverride, renderComposePostgresOverride(stack)],
] as const) {
  writeFileSync(file, text);
  console.log(`compose: wrote ${relative(root, file)}`);
}
