// The real thing: every synthesized object, server-side applied to a real kube-apiserver with the
// restricted pod security level enforced, for both database modes. Accepted, and not one warning.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  defaultControllers,
  skipUnlessKubeBinaries,
  startControlPlane,
  type ControlPlane,
} from '@obslab/control-plane';
import { eventually, run } from '@obslab/process';
import { findWorkspaceRoot } from '@obslab/stack';
import { distVariants } from './dist.js';
import { synthLab } from './lab.chart.js';

const skip = skipUnlessKubeBinaries();
const root = findWorkspaceRoot();

for (const variant of distVariants) {
  describe(
    `kubectl apply --server-side -f charts-ts/${variant.dir}/ (${variant.title})`,
    { skip, timeout: 180_000 },
    () => {
      let controlPlane: ControlPlane | undefined;
      let kubectl: (...args: string[]) => Promise<{ stdout: string; stderr: string }>;
      const manifests = synthLab(variant.props);
      const namespace = manifests.find((m) => m.kind === 'Namespace')!.metadata.name;

      before(async () => {
        controlPlane = await startControlPlane({
          controllers: [...defaultControllers, 'statefulset-controller'],
        });
        const binary = controlPlane.binaries.kubectl ?? 'kubectl';
        const kubeconfig = controlPlane.kubeconfigPath;
        kubectl = (...args) => run(binary, ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 60_000 });
      });

      after(async () => {
        await controlPlane?.stop();
      });

      it('accepts every object on a fresh cluster in one go, with no warning', async () => {
        const { stdout, stderr } = await kubectl(
          'apply',
          '--server-side',
          '--field-manager=obslab-charts-test',
          '-f',
          join(root, 'charts-ts', variant.dir),
        );
        const warnings = stderr.split('\n').filter((line) => /warning/i.test(line));
        assert.deepEqual(warnings, [], `the API server warned:\n${stderr}`);
        const applied = stdout
          .trim()
          .split('\n')
          .filter((line) => / serverside-applied$/.test(line));
        assert.equal(applied.length, manifests.length, stdout);
      });

      it('stores every object as synthesized (server-side apply owned by obslab-charts-test)', async () => {
        for (const manifest of manifests) {
          const ref = `${manifest.kind}/${manifest.metadata.name}`;
          const args =
            manifest.kind === 'Namespace'
              ? ['get', ref, '-o', 'json', '--show-managed-fields']
              : ['-n', namespace, 'get', ref, '-o', 'json', '--show-managed-fields'];
          const stored = JSON.parse((await kubectl(...args)).stdout) as {
            metadata: { managedFields: { manager: string }[] };
          };
          assert.ok(
            stored.metadata.managedFields.some((field) => field.manager === 'obslab-charts-test'),
            `${ref} is not managed by obslab-charts-test`,
          );
        }
      });

      it('lets the controllers create every pod under the enforced restricted level', async () => {
        const workloads = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');
        const expected = workloads.reduce((sum, m) => sum + (m['spec'] as { replicas: number }).replicas, 0);
        await eventually(
          async () => {
            const pods = JSON.parse((await kubectl('-n', namespace, 'get', 'pods', '-o', 'json')).stdout) as {
              items: unknown[];
            };
            assert.equal(pods.items.length, expected);
          },
          { timeoutMs: 60_000, intervalMs: 500, description: `${expected} pods in ${namespace}` },
        );
        const events = (
          await kubectl(
            '-n',
            namespace,
            'get',
            'events',
            '--field-selector',
            'reason=FailedCreate',
            '-o',
            'name',
          )
        ).stdout;
        assert.equal(events.trim(), '', 'a controller failed to create a pod');
      });
    },
  );
}
