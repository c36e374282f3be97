import { fakeNodeAnnotation } from './component-args.js';
import { httpsRequest, type HttpsClientTls } from './readiness.js';

/** A Node object for kwok to simulate: schedulable, generous capacity, no taints. */
export function fakeNode(name: string): Record<string, unknown> {
  const capacity = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        [fakeNodeAnnotation.key]: fakeNodeAnnotation.value,
        'node.alpha.kubernetes.io/ttl': '0',
      },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    spec: {},
    status: { capacity, allocatable: capacity },
  };
}

/** Creates `count` fake nodes named `kwok-node-<i>` and returns their names. */
export async function createFakeNodes(server: string, tls: HttpsClientTls, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  await Promise.all(
    names.map(async (name) => {
      const { status, body } = await httpsRequest(
        'POST',
        `${server}/api/v1/nodes`,
        tls,
        JSON.stringify(fakeNode(name)),
      );
      if (status !== 201)
        throw new Error(`creating fake node ${name} failed with HTTP ${status}: ${body.slice(0, 300)}`);
    }),
  );
  return names;
}
