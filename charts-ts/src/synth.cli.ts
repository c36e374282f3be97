// `npm run synth` (nx run charts-ts:synth): writes charts-ts/dist/**/*.k8s.yaml.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findWorkspaceRoot } from '@obslab/stack';
import { distVariants, labDistFiles } from './dist.js';

const root = findWorkspaceRoot();
const chartsDir = join(root, 'charts-ts');
const files = labDistFiles(root);
for (const { dir } of distVariants) {
  mkdirSync(join(chartsDir, dir), { recursive: true });
  for (const entry of readdirSync(join(chartsDir, dir))) {
    if (entry.endsWith('.k8s.yaml')) rmSync(join(chartsDir, dir, entry));
  }
}
for (const file of files) {
  mkdirSync(dirname(join(chartsDir, file.path)), { recursive: true });
  writeFileSync(join(chartsDir, file.path), file.content);
  console.log(`charts-ts: wrote charts-ts/${file.path}`);
}
