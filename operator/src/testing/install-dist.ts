import { join } from 'node:path';

/**
 * Applies operator/dist/ (the CRD, the namespace, RBAC and the Deployment) to a test cluster, scales
 * the Deployment to 0 (the tests run the operator process themselves; kwok would only pretend to
 * run its pods) and waits until the CRD is served.
 */
export async function installOperatorDist(
  kubectl: (...args: string[]) => Promise<unknown>,
  workspaceRoot: string,
): Promise<void> {
  await kubectl('apply', '--server-side', '-f', join(workspaceRoot, 'operator/dist/'));
  await kubectl('-n', 'obslab-system', 'scale', 'deployment/obslab-operator', '--replicas=0');
  await kubectl(
    'wait',
    '--for=condition=Established',
    'crd/observabilitylabs.lab.obslab.dev',
    '--timeout=60s',
  );
}
