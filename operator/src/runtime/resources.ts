// Where kinds live in the Kubernetes API, for the client, informers, leases and events.

/** Where a kind lives in the API: group, version, plural, and whether it is namespaced. */
export interface ResourceRef {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** A {@link ResourceRef} from a kind, its apiVersion and its plural. */
export const resourceRef = (
  kind: string,
  apiVersion: string,
  plural: string,
  namespaced = true,
): ResourceRef => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { kind, group: group!, version: version!, plural, namespaced };
};

/** Leases, for leader election. */
export const leaseResource: ResourceRef = resourceRef('Lease', 'coordination.k8s.io/v1', 'leases');
/** events.k8s.io Events. */
export const eventResource: ResourceRef = resourceRef('Event', 'events.k8s.io/v1', 'events');

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
