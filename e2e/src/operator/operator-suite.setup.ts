// The operator suite's control plane, started once for all its tests (kwok nodes, the garbage
// collector, StatefulSets and volume binding), the CRD and RBAC of operator/dist/, the operator's
// own ServiceAccount kubeconfig, and the kubectl helpers the tests use.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlane, defaultControllers, startControlPlane } from '@obslab/control-plane';
import { installOperatorDist, type ObservabilityLab } from '@obslab/operator';
import { eventually, run } from '@obslab/process';
import { findWorkspaceRoot } from '@obslab/stack';
import { startOperatorProcess, type OperatorProcess } from './operator.process.js';

export const root = findWorkspaceRoot();

export interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    generation?: number;
    resourceVersion: string;
    labels?: Record<string, string>;
    ownerReferences?: { uid: string; controller?: boolean; blockOwnerDeletion?: boolean; kind: string }[];
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

export type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration: number;
};

/** The suite's cluster and helpers; the helpers are bound, so they may be destructured. */
export class OperatorSuite {
  controlPlane: ControlPlane | undefined;
  workDir = '';
  operatorKubeconfig = '';
  readonly operators: OperatorProcess[] = [];
  kubectlBin = 'kubectl';

  readonly kubectl = async (...args: string[]) =>
    (
      await run(this.kubectlBin, ['--kubeconfig', this.controlPlane!.kubeconfigPath, ...args], {
        timeoutMs: 60_000,
      })
    ).stdout;
  readonly getJson = async <T = Obj>(...args: string[]) =>
    JSON.parse(await this.kubectl('get', '-o', 'json', ...args)) as T;
  readonly exists = async (...args: string[]) => {
    const out = await this.kubectl('get', '--ignore-not-found', '-o', 'name', ...args);
    return out.trim() !== '';
  };
  readonly lab = (ns: string, name = 'demo') => this.getJson<ObservabilityLab & Obj>('-n', ns, 'olab', name);
  readonly condition = (l: { status?: unknown }, type: string) =>
    ((l.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
  readonly applyLab = async (ns: string, spec: Record<string, unknown>, name = 'demo') => {
    const file = join(this.workDir, `${ns}-${name}.json`);
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'lab.obslab.dev/v1alpha1',
        kind: 'ObservabilityLab',
        metadata: { name, namespace: ns },
        spec,
      }),
    );
    return this.kubectl('apply', '--server-side', '--field-manager=e2e', '--force-conflicts', '-f', file);
  };
  readonly patchLab = (ns: string, patch: unknown, name = 'demo') =>
    this.kubectl('-n', ns, 'patch', 'olab', name, '--type=merge', '-p', JSON.stringify(patch));
  readonly createNamespace = async (ns: string) => {
    await this.kubectl('create', 'namespace', ns);
    await this.kubectl('label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted');
    await eventually(() => this.kubectl('-n', ns, 'get', 'serviceaccount', 'default'), {
      timeoutMs: 30_000,
      description: `default ServiceAccount in ${ns}`,
    });
  };
  /** hostPath PersistentVolumes without a class, so the claims bind and pods get scheduled. */
  readonly createVolumes = async (prefix: string, count: number) => {
    const items = Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${prefix}-${i}` },
      spec: {
        capacity: { storage: '100Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        hostPath: { path: `/tmp/${prefix}-${i}` },
      },
    }));
    const file = join(this.workDir, `${prefix}-pvs.json`);
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    await this.kubectl('apply', '-f', file);
  };
  readonly startOperator = async (name: string, args: string[] = ['--leader-elect'], waitReady = true) => {
    const operator = await startOperatorProcess({
      workspaceRoot: root,
      kubeconfig: this.operatorKubeconfig,
      name,
      logDir: this.workDir,
      args,
      waitReady,
    });
    this.operators.push(operator);
    return operator;
  };
  readonly generationOf = async (ns: string) => (await this.lab(ns)).metadata.generation!;
  readonly readyLab = (ns: string, generation?: number) =>
    eventually(
      async () => {
        const current = await this.lab(ns);
        const ready = this.condition(current, 'Ready');
        assert.equal(ready?.status, 'True', `Ready: ${JSON.stringify(ready)}`);
        if (generation !== undefined) assert.equal(current.status?.observedGeneration, generation);
        return current;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: `lab in ${ns} is Ready` },
    );

  /** The control plane, operator/dist/ installed, a kubeconfig of the operator's ServiceAccount. */
  async start(): Promise<void> {
    this.workDir = await mkdtemp(join(tmpdir(), 'obslab-operator-e2e-'));
    this.controlPlane = await startControlPlane({
      fakeNodes: 2,
      controllers: [
        ...defaultControllers,
        'statefulset-controller',
        'persistentvolume-binder-controller',
        'persistentvolumeclaim-protection-controller',
      ],
      log: (line) => console.error(`# ${line}`),
    });
    this.kubectlBin = this.controlPlane.binaries.kubectl ?? 'kubectl';
    // The documented path: the CRD and the operator's RBAC from operator/dist/.
    await installOperatorDist(this.kubectl, root);
    const token = (
      await this.kubectl('-n', 'obslab-system', 'create', 'token', 'obslab-operator', '--duration=2h')
    ).trim();
    const ca = (await readFile(this.controlPlane.caCertPath)).toString('base64');
    this.operatorKubeconfig = join(this.workDir, 'operator.kubeconfig');
    await writeFile(
      this.operatorKubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'e2e', cluster: { server: this.controlPlane.server, 'certificate-authority-data': ca } },
        ],
        users: [{ name: 'obslab-operator', user: { token } }],
        contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'obslab-operator' } }],
        'current-context': 'e2e',
      }),
      { mode: 0o600 },
    );
  }

  /** Kills the operators, stops the control plane, removes the work dir. */
  async stop(): Promise<void> {
    await Promise.all(this.operators.map((o) => o.kill()));
    await this.controlPlane?.stop();
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
  }
}
