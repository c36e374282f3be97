import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childResources } from '../lab/lab.resources.js';
import { desiredState } from '../lab/lab.desired.js';
import { operatorClusterRules, operatorManifests } from './operator.chart.js';

type Rule = { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs: string[] };
type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & {
  [key: string]: any;
};

const manifests = operatorManifests() as Manifest[];
const only = (kind: string): Manifest => {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}, found ${found.length}`);
  return found[0]!;
};
const clusterRole = only('ClusterRole');
const role = only('Role');
const deployment = only('Deployment');
const rules = (object: Manifest) => object['rules'] as Rule[];
const allRules = [...rules(clusterRole), ...rules(role)];
/** `group/resource` pairs a set of rules grants, with their verbs. */
const grants = (list: Rule[]) =>
  new Map<string, string[]>(
    list.flatMap((rule) =>
      (rule.apiGroups ?? []).flatMap((group) =>
        (rule.resources ?? []).map((resource) => [`${group}/${resource}`, [...rule.verbs].sort()] as const),
      ),
    ),
  );

describe('the operator RBAC', () => {
  it('uses no wildcard verb, resource or API group', () => {
    for (const rule of allRules) {
      for (const value of [...rule.verbs, ...(rule.resources ?? []), ...(rule.apiGroups ?? [])]) {
        assert.ok(!value.includes('*'), `wildcard in ${JSON.stringify(rule)}`);
      }
    }
  });

  it('grants nothing on Secrets', () => {
    for (const rule of allRules) assert.ok(!rule.resources?.includes('secrets'), JSON.stringify(rule));
  });

  it('lets the ClusterRole reach exactly the child kinds, the labs with status and finalizers, events and pods', () => {
    const children = childResources.map((r) => `${r.group}/${r.plural}`);
    const expected = [
      ...children,
      'lab.obslab.dev/observabilitylabs',
      'lab.obslab.dev/observabilitylabs/status',
      'lab.obslab.dev/observabilitylabs/finalizers',
      'events.k8s.io/events',
      '/pods',
    ].sort();
    const granted = grants(rules(clusterRole));
    assert.deepEqual([...granted.keys()].sort(), expected);
    for (const child of children) {
      assert.deepEqual(granted.get(child), ['create', 'delete', 'get', 'list', 'patch', 'watch'], child);
    }
    assert.deepEqual(granted.get('/pods'), ['get', 'list', 'watch']);
    assert.deepEqual(granted.get('lab.obslab.dev/observabilitylabs/status'), ['get', 'patch']);
    assert.deepEqual(granted.get('lab.obslab.dev/observabilitylabs/finalizers'), ['update']);
    assert.ok(!granted.get('lab.obslab.dev/observabilitylabs')!.includes('create'));
    assert.deepEqual(granted.get('events.k8s.io/events'), ['create', 'patch']);
    assert.deepEqual(rules(clusterRole), operatorClusterRules());
  });

  it('covers every kind the desired state of a lab can hold, in both database modes', () => {
    const managed = new Set(
      childResources.map((r) => `${r.group ? `${r.group}/` : ''}${r.version}/${r.kind}`),
    );
    for (const mode of ['sqlite', 'postgres'] as const) {
      const { children } = desiredState({
        apiVersion: 'lab.obslab.dev/v1alpha1',
        kind: 'ObservabilityLab',
        metadata: { name: 'demo', namespace: 'team-a', uid: 'u-1' },
        spec: { database: { mode } },
      });
      for (const child of children) {
        assert.ok(
          managed.has(`${child.apiVersion}/${child.kind}`),
          `${child.apiVersion} ${child.kind} (${mode})`,
        );
      }
    }
  });

  it('grants leases only in a namespaced Role, by name for get and update', () => {
    assert.ok(!rules(clusterRole).some((rule) => rule.resources?.includes('leases')));
    assert.equal(role.metadata.namespace, 'obslab-system');
    const leaseRules = rules(role).filter((rule) => rule.resources?.includes('leases'));
    assert.ok(leaseRules.length > 0);
    for (const rule of leaseRules) {
      assert.deepEqual(rule.apiGroups, ['coordination.k8s.io']);
      // create cannot be limited by name (the object has no name yet at authorization).
      if (rule.verbs.some((verb) => verb !== 'create')) {
        assert.deepEqual(rule.resourceNames, ['obslab-operator'], JSON.stringify(rule));
      }
    }
    const verbs = leaseRules.flatMap((rule) => rule.verbs).sort();
    assert.deepEqual(verbs, ['create', 'get', 'update']);
  });

  it("binds both roles to the Deployment's ServiceAccount", () => {
    const serviceAccount = only('ServiceAccount');
    const subject = {
      kind: 'ServiceAccount',
      name: serviceAccount.metadata.name,
      namespace: 'obslab-system',
    };
    assert.equal(deployment['spec'].template.spec.serviceAccountName, serviceAccount.metadata.name);
    assert.deepEqual(only('ClusterRoleBinding')['subjects'], [subject]);
    assert.equal(only('ClusterRoleBinding')['roleRef'].name, clusterRole.metadata.name);
    assert.deepEqual(only('RoleBinding')['subjects'], [subject]);
    assert.equal(only('RoleBinding')['roleRef'].name, role.metadata.name);
  });
});

describe('the operator Deployment', () => {
  const pod = deployment['spec'].template.spec;

  it('passes the restricted pod security level', () => {
    assert.equal(only('Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.ok(pod.containers.length > 0);
    for (const container of pod.containers) {
      const sc = container.securityContext;
      assert.equal(sc.allowPrivilegeEscalation, false, container.name);
      assert.deepEqual(sc.capabilities.drop, ['ALL'], container.name);
      assert.equal(sc.capabilities.add, undefined, container.name);
      assert.equal(sc.readOnlyRootFilesystem, true, container.name);
      assert.notEqual(sc.privileged, true, container.name);
      assert.notEqual(sc.runAsUser, 0, container.name);
    }
    assert.equal(pod.hostNetwork, undefined);
    assert.equal(pod.hostPID, undefined);
  });

  it('runs 2 replicas that elect a leader in their own namespace', () => {
    assert.equal(deployment['spec'].replicas, 2);
    const args = pod.containers[0].args as string[];
    assert.ok(args.includes('--leader-elect'), args.join(' '));
    assert.ok(args.includes('--leader-election-namespace=obslab-system'), args.join(' '));
  });

  it('follows the namespace and replicas it is given', () => {
    const custom = operatorManifests({ namespace: 'ops', replicas: 3 }) as Manifest[];
    const customDeployment = custom.find((m) => m.kind === 'Deployment')!;
    assert.equal(customDeployment['spec'].replicas, 3);
    assert.ok(
      customDeployment['spec'].template.spec.containers[0].args.includes('--leader-election-namespace=ops'),
    );
    for (const object of custom.filter(
      (m) => m.kind !== 'CustomResourceDefinition' && !m.kind.startsWith('Cluster'),
    )) {
      if (object.kind === 'Namespace') assert.equal(object.metadata.name, 'ops');
      else assert.equal(object.metadata.namespace, 'ops', `${object.kind}/${object.metadata.name}`);
    }
  });
});

describe('the operator Deployment and NetworkPolicy', () => {
  it('limits CPU and memory', () => {
    const [container] = deployment['spec'].template.spec.containers;
    assert.deepEqual(container.resources.limits, { cpu: '500m', memory: '256Mi' });
    assert.deepEqual(container.resources.requests, { cpu: '50m', memory: '128Mi' });
  });

  it('lets the operator pods reach only DNS and the API server, and be reached only on the probe port', () => {
    const policy = only('NetworkPolicy');
    assert.equal(policy.metadata.namespace, deployment.metadata.namespace);
    assert.deepEqual(policy['spec'].podSelector.matchLabels, deployment['spec'].selector.matchLabels);
    assert.deepEqual(policy['spec'].policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(policy['spec'].ingress, [{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
    assert.deepEqual(policy['spec'].egress, [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
    const narrowed = operatorManifests({ apiServerEgress: { cidrs: ['10.96.0.1/32'], ports: [443] } }).find(
      (m) => m['kind'] === 'NetworkPolicy',
    ) as Manifest;
    assert.deepEqual(narrowed['spec'].egress[1], {
      to: [{ ipBlock: { cidr: '10.96.0.1/32' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    assert.throws(
      () => operatorManifests({ apiServerEgress: { cidrs: [], ports: [443] } }),
      /at least one CIDR/,
    );
  });
});
