// `nx run charts-ts:bench`: synth time of the lab, cold (first synth in this process: module
// graph warm, caches cold) and warm (median of the next runs), against a baseline measured in the
// same run: rendering compose from the same stack. Target: a synth within 2 s.
import { performance } from 'node:perf_hooks';
import { renderCompose } from '@obslab/compose';
import { findWorkspaceRoot, workspaceStack } from '@obslab/stack';
import { synthLab } from './lab.chart.js';

const root = findWorkspaceRoot();
const runs = 15;
const time = (fn: () => unknown) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const rows: [string, number][] = [];
rows.push(['synth sqlite, cold', time(() => synthLab({ workspaceRoot: root }))]);
rows.push([
  'synth postgres, cold',
  time(() => synthLab({ workspaceRoot: root, database: 'postgres', taskApiReplicas: 2 })),
]);
rows.push([
  'synth sqlite, warm (median)',
  median(Array.from({ length: runs }, () => time(() => synthLab({ workspaceRoot: root })))),
]);
rows.push([
  'synth postgres, warm (median)',
  median(
    Array.from({ length: runs }, () =>
      time(() => synthLab({ workspaceRoot: root, database: 'postgres', taskApiReplicas: 2 })),
    ),
  ),
]);
const baseline = median(Array.from({ length: runs }, () => time(() => renderCompose(workspaceStack(root)))));
rows.push(['baseline: render compose (median)', baseline]);

console.log(`| measurement | ms | × compose render |\n| --- | ---: | ---: |`);
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(1)} |`);
const worst = Math.max(...rows.map(([, ms]) => ms));
console.log(`\nslowest synth ${worst.toFixed(0)} ms: ${worst <= 2000 ? 'within' : 'OVER'} the 2 s target`);
if (worst > 2000) process.exitCode = 1;
