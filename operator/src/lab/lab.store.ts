// What a reconcile reads: the labs and their children, from the informers' caches (or, in specs,
// from memory). The runtime's Informers know nothing of labs; this adapter says what a lab's child is.
import { type Informers, type InformersOptions } from '../runtime/informers.js';
import { type KubeObject } from '../runtime/kube.client.js';
import { childResources, labResource } from './lab.resources.js';
import { fieldManager, labLabels, type ObservabilityLab } from './lab.types.js';

/** Read side of a reconcile. */
export interface LabStore {
  lab(namespace: string, name: string): ObservabilityLab | undefined;
  /** Every object in the namespace labelled with this lab's name. */
  children(namespace: string, labName: string): readonly KubeObject[];
  /** The labs of a namespace. */
  labsIn(namespace: string): readonly ObservabilityLab[];
  /** An object any lab labelled, by kind, namespace and name. */
  object(kind: string, namespace: string, name: string): KubeObject | undefined;
}

/** The label selector of every lab's children, for the informers. */
export const childSelector = `${labLabels.lab},${labLabels.managedBy}=${fieldManager}`;

/** `namespace/name` of the lab a child is labelled with. */
const labKeyOf = (child: KubeObject) => {
  const lab = child.metadata.labels?.[labLabels.lab];
  return lab && child.metadata.namespace ? `${child.metadata.namespace}/${lab}` : undefined;
};

/** What the informers watch for labs: the lab kind, and the children kinds by the lab's label. */
export const labInformerKinds: Pick<
  InformersOptions,
  'primary' | 'children' | 'childSelector' | 'primaryKeyOf'
> = {
  primary: labResource,
  children: childResources,
  childSelector,
  primaryKeyOf: labKeyOf,
};

/** The {@link LabStore} of the informers' caches. */
export function labStoreOf(informers: Informers<ObservabilityLab>): LabStore {
  return {
    lab: (namespace, name) => informers.primary(namespace, name),
    children: (namespace, labName) =>
      informers.children(namespace, (object) => object.metadata.labels?.[labLabels.lab] === labName),
    labsIn: (namespace) => informers.primariesIn(namespace),
    object: (kind, namespace, name) => informers.object(kind, namespace, name),
  };
}
