import { labApi } from '../api/lab.schema.js';

/** Where a kind lives in the API: group, version, plural, and whether it is namespaced. */
export interface ResourceRef {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const ref = (kind: string, apiVersion: string, plural: string, namespaced = true): ResourceRef => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { kind, group: group!, version: version!, plural, namespaced };
};

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
/** Leases, for leader election. */
export const leaseResource: ResourceRef = ref('Lease', 'coordination.k8s.io/v1', 'leases');
/** events.k8s.io Events. */
export const eventResource: ResourceRef = ref('Event', 'events.k8s.io/v1', 'events');

const byKind = new Map(childResources.map((r) => [r.kind, r]));

/** The resource of a child kind; throws for a kind the operator does not manage. */
export function childResource(kind: string): ResourceRef {
  const resource = byKind.get(kind);
  if (!resource) throw new Error(`the operator does not manage kind ${kind}; add it to childResources`);
  return resource;
}

/** `apiVersion` of a resource. */
export function apiVersionOf(resource: ResourceRef): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** REST path of a collection (all namespaces when `namespace` is undefined) or of one object. */
export function resourcePath(
  resource: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name ? `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}` : '';
  return `${base}${scope}/${resource.plural}${object}`;
}
