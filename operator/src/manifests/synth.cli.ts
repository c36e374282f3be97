// `npx nx run operator:synth`: writes operator/dist/*.k8s.yaml (a spec fails when they are stale).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@obslab/stack';
import { operatorDistFiles } from './operator.chart.js';

const dist = join(findWorkspaceRoot(), 'operator', 'dist');
mkdirSync(dist, { recursive: true });
for (const entry of readdirSync(dist)) if (entry.endsWith('.k8s.yaml')) rmSync(join(dist, entry));
for (const [file, content] of Object.entries(operatorDistFiles())) {
  writeFileSync(join(dist, file), content);
  console.log(`operator: wrote operator/dist/${file}`);
}
