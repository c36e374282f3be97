// `nx run stack:render`: writes the compose renderings of the stack into compose/.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderCompose, renderComposePostgresOverride } from './compose/compose.renderer.js';
import { findWorkspaceRoot, stackPaths, workspaceStack } from './workspace.js';

const root = findWorkspaceRoot();
const paths = stackPaths(root);
const stack = workspaceStack(root);
for (const [file, text] of [
  [paths.composeFile, renderCompose(stack)],
  [paths.postgresOverride, renderComposePostgresOverride(stack)],
] as const) {
  writeFileSync(file, text);
  console.log(`stack: wrote ${relative(root, file)}`);
}
