/* eslint-disable @typescript-eslint/no-unsafe-return -- manifests are untyped JSON */
// Finding objects in synthesized manifests, for the chart's specs.
import assert from 'node:assert/strict';
import { type Manifest } from '../lab.chart.js';

type PodTemplate = {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: any;
};

/** The Deployments' and StatefulSets' names, pod templates and specs. */
export const podTemplates = (manifests: Manifest[]) =>
  manifests
    .filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
    .map((m) => ({
      name: m.metadata.name,
      template: (m['spec'] as { template: PodTemplate }).template,
      spec: m['spec'] as any,
    }));

/** The object of `kind` named `name`; fails the test when there is none. */
export const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  assert.ok(found, `no ${kind}/${name}`);
  return found as any;
};
