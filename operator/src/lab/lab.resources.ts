// The kinds the operator manages: the ObservabilityLab and the kinds of its children.
import { resourceRef as ref, type ResourceRef } from '../runtime/resources.js';
import { labApi } from './lab.schema.js';

/** The kinds a lab's children can be (every kind the chart synthesizes, except the Namespace). */
export const childResources: readonly ResourceRef[] = [
  ref('ServiceAccount', 'v1', 'serviceaccounts'),
  ref('ConfigMap', 'v1', 'configmaps'),
  ref('PersistentVolumeClaim', 'v1', 'persistentvolumeclaims'),
  ref('Service', 'v1', 'services'),
  ref('Role', 'rbac.authorization.k8s.io/v1', 'roles'),
  ref('RoleBinding', 'rbac.authorization.k8s.io/v1', 'rolebindings'),
  ref('Deployment', 'apps/v1', 'deployments'),
  ref('StatefulSet', 'apps/v1', 'statefulsets'),
  ref('PodDisruptionBudget', 'policy/v1', 'poddisruptionbudgets'),
  ref('NetworkPolicy', 'networking.k8s.io/v1', 'networkpolicies'),
  ref('Ingress', 'networking.k8s.io/v1', 'ingresses'),
];

/** The ObservabilityLab resource. */
export const labResource: ResourceRef = ref(labApi.kind, `${labApi.group}/${labApi.version}`, labApi.plural);
const byKind = new Map(childResources.map((r) => [r.kind, r]));

/** The resource of a child kind; throws for a kind the operator does not manage. */
export function childResource(kind: string): ResourceRef {
  const resource = byKind.get(kind);
  if (!resource) throw new Error(`the operator does not manage kind ${kind}; add it to childResources`);
  return resource;
}
